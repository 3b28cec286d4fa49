"""What the demo enterprises make: industry profiles, indicator templates, product wording.

Plain data, plus ``_topics()``: the catalogue generator's topics by key, which the profiles
draw their products from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from registry.demo.generator import TOPICS


@dataclass(frozen=True)
class Profile:
    """An industry as the demo fills it: division, products, trade words, home counties."""

    key: str
    label: str
    division: str  # GB/T 4754-2017 division
    weight: float
    topics: tuple[tuple[str, tuple[str, ...] | None], ...]  # generator topic, nouns (None: all)
    trades: tuple[str, ...]  # trade word in the company name
    clusters: tuple[tuple[str, float], ...]  # county -> extra weight
    consumer: bool = False  # products carry barcodes


PROFILES: tuple[Profile, ...] = (
    Profile("kitchen", "智能厨电", "38", 16,
            (("kitchen", None), ("appliance", ("空气净化器", "储水式电热水器", "新风净化机"))),
            ("厨具", "厨电", "电器", "家电"),
            (("330683", 16), ("330282", 10), ("330281", 6), ("330110", 3), ("330424", 2)),
            consumer=True),
    Profile("garment", "领带服装", "18", 12,
            (("textile", ("领带", "针织T恤衫", "羊毛衫", "袜子", "羽绒服装", "婴幼儿纺织产品",
                          "围巾")),),
            ("服饰", "领带", "制衣", "针织"),
            (("330683", 12), ("330603", 8), ("330483", 6), ("330782", 5), ("330481", 4),
             ("330203", 3)), consumer=True),
    Profile("motor", "电机电气", "38", 10, (("motor", None), ("battery", None)),
            ("电机", "电气", "机电", "动力"),
            (("331081", 8), ("330382", 6), ("330522", 7), ("330784", 3), ("330723", 3))),
    Profile("machinery", "机械装备", "34", 12,
            (("valve", None), ("machine", None), ("bearing", None)),
            ("机械", "泵业", "阀门", "轴承", "精工"),
            (("331081", 8), ("330324", 8), ("330206", 6), ("331003", 4), ("330381", 3),
             ("330211", 3))),
    Profile("fastener", "紧固件", "33", 10, (("fastener", None),),
            ("紧固件", "标准件", "五金"),
            (("330424", 16), ("330784", 5), ("330482", 3), ("330212", 3), ("330381", 3))),
    Profile("pharma", "生物医药", "27", 8,
            (("medical", ("医用外科口罩", "医用防护服", "输液器", "无菌注射器")),),
            ("医药", "药业", "生物", "医疗用品"),
            (("331082", 8), ("331002", 8), ("330624", 6), ("330604", 5), ("330110", 3),
             ("330108", 3))),
    Profile("material", "新材料", "26", 14,
            (("chemical", ("水性涂料", "胶粘剂", "有机硅密封胶", "聚氯乙烯树脂")),
             ("textile", ("涤纶长丝",)),
             ("building", ("陶瓷砖", "建筑用安全玻璃", "保温装饰板", "防水卷材"))),
            ("新材料", "化工", "材料", "高分子"),
            (("330206", 6), ("330211", 6), ("330802", 5), ("330803", 5), ("330604", 5),
             ("330483", 6), ("330109", 5), ("330522", 3))),
    Profile("electronic", "电子信息", "39", 12, (("electronic", None),),
            ("电子", "科技", "智能", "光电"),
            (("330108", 12), ("330110", 6), ("330114", 4), ("330382", 4), ("330212", 3),
             ("330402", 3)), consumer=True),
    Profile("auto", "汽车零部件", "36", 6, (("auto", None),),
            ("汽车部件", "汽配", "车业"),
            (("330381", 12), ("331004", 5), ("330109", 5), ("331021", 6), ("331003", 3))),
)
# new materials span several divisions: the product decides (涤纶长丝 28, building 30)
_DIVISION_OF_TOPIC = {("material", "textile"): "28", ("material", "building"): "30"}


@dataclass(frozen=True)
class Metric:
    """An indicator as products of one kind declare it, with the reference value."""

    name: str
    unit: str | None
    direction: str  # 'higher' | 'lower' | 'none'
    ref: float  # the reference standard's value (ignored for 'none')
    digits: int


def _m(name: str, unit: str | None, direction: str, ref: float, digits: int = 1) -> Metric:
    return Metric(name, unit, direction, ref, digits)


METRICS: dict[str, tuple[Metric, ...]] = {
    "kitchen": (_m("热效率", "%", "higher", 60), _m("噪声", "dB(A)", "lower", 70, 0),
                _m("待机功率", "W", "lower", 1.0, 2), _m("泄漏电流", "mA", "lower", 0.75, 2),
                _m("输入功率偏差", "%", "lower", 10), _m("平均无故障工作时间", "h", "higher", 3000, 0)),
    "appliance": (_m("能源效率", "%", "higher", 80), _m("噪声", "dB(A)", "lower", 60, 0),
                  _m("待机功率", "W", "lower", 1.0, 2), _m("泄漏电流", "mA", "lower", 0.75, 2),
                  _m("平均无故障工作时间", "h", "higher", 3000, 0)),
    "textile": (_m("耐摩擦色牢度", "级", "higher", 3), _m("甲醛含量", "mg/kg", "lower", 75, 0),
                _m("水洗尺寸变化率", "%", "lower", 3), _m("断裂强力", "N", "higher", 200, 0),
                _m("起毛起球", "级", "higher", 3), _m("pH值", None, "none", 0)),
    "fastener": (_m("抗拉强度", "MPa", "higher", 800, 0), _m("维氏硬度", "HV", "higher", 250, 0),
                 _m("保证载荷", "kN", "higher", 38), _m("中性盐雾试验时间", "h", "higher", 48, 0),
                 _m("扭矩系数", None, "none", 0, 3)),
    "bearing": (_m("额定动载荷", "kN", "higher", 12.8), _m("振动加速度", "dB", "lower", 48),
                _m("额定寿命", "h", "higher", 20000, 0), _m("径向游隙", "μm", "none", 0, 0)),
    "motor": (_m("效率", "%", "higher", 90.2), _m("功率因数", None, "higher", 0.82, 2),
              _m("噪声", "dB(A)", "lower", 80, 0), _m("温升", "K", "lower", 80, 0),
              _m("振动速度有效值", "mm/s", "lower", 2.8), _m("堵转转矩倍数", None, "higher", 2.0, 2)),
    "battery": (_m("能量密度", "Wh/kg", "higher", 140, 0), _m("循环寿命", "次", "higher", 500, 0),
                _m("容量保持率", "%", "higher", 80), _m("月自放电率", "%", "lower", 5)),
    "valve": (_m("密封试验泄漏量", "mm³/s", "lower", 0.3, 2), _m("壳体试验压力", "MPa", "higher", 2.4),
              _m("泵效率", "%", "higher", 70), _m("必需汽蚀余量", "m", "lower", 3.5),
              _m("流阻系数", None, "lower", 0.5, 2)),
    "machine": (_m("定位精度", "mm", "lower", 0.02, 3), _m("重复定位精度", "mm", "lower", 0.01, 3),
                _m("噪声", "dB(A)", "lower", 83, 0), _m("平均无故障工作时间", "h", "higher", 800, 0),
                _m("最高转速", "r/min", "higher", 8000, 0)),
    "electronic": (_m("绝缘电阻", "MΩ", "higher", 100, 0), _m("静电放电抗扰度", "kV", "higher", 4, 0),
                   _m("待机功耗", "W", "lower", 0.5, 2), _m("平均无故障工作时间", "h", "higher", 20000, 0),
                   _m("工作温度上限", "℃", "higher", 60, 0)),
    "medical": (_m("细菌过滤效率", "%", "higher", 95), _m("颗粒过滤效率", "%", "higher", 30),
                _m("通气阻力", "Pa", "lower", 49), _m("环氧乙烷残留量", "μg/g", "lower", 10),
                _m("初始污染菌", "CFU/g", "lower", 100, 0)),
    "chemical": (_m("主含量", "%", "higher", 98), _m("水分", "%", "lower", 0.5, 2),
                 _m("挥发性有机化合物含量", "g/L", "lower", 80, 0), _m("游离甲醛", "g/kg", "lower", 0.1, 2),
                 _m("拉伸强度", "MPa", "higher", 1.5)),
    "building": (_m("抗压强度", "MPa", "higher", 3.5), _m("吸水率", "%", "lower", 0.5, 2),
                 _m("内照射指数", None, "lower", 1.0, 2), _m("导热系数", "W/(m·K)", "lower", 0.14, 3),
                 _m("断裂模数", "MPa", "higher", 35, 0)),
    "auto": (_m("耐压强度", "MPa", "higher", 20), _m("疲劳寿命", "万次", "higher", 50, 0),
             _m("噪声", "dB(A)", "lower", 65, 0), _m("工作温度上限", "℃", "higher", 85, 0),
             _m("中性盐雾试验时间", "h", "higher", 96, 0)),
}
SPECS: dict[str, tuple[str, ...]] = {
    "kitchen": ("220V~ 50Hz {w}W", "嵌入式 {w}W", "台式 {w}W"),
    "appliance": ("220V~ 50Hz {w}W", "{l}L", "{w}W"),
    "textile": ("{size}", "{l}cm×{s}cm", "100%桑蚕丝"),
    "fastener": ("M{d}×{l}", "M{d}×{l} 8.8级", "M{d} 10.9级"),
    "bearing": ("{d}0{s}", "内径 {l}mm"),
    "motor": ("{kw} kW {p}极", "{kw} kW IE3", "{kw} kW"),
    "battery": ("{v}V {ah}Ah", "{ah}Ah"),
    "valve": ("DN{dn} PN16", "DN{dn} PN25", "流量 {l} m³/h"),
    "machine": ("行程 {l}mm", "{kw} kW", "最大负载 {s}kg"),
    "electronic": ("{s}层", "{v}V {ah}A", "{w}W"),
    "medical": ("{size}", "{l}mL", "独立包装"),
    "chemical": ("{l}kg/桶", "{l}kg/袋", "工业级"),
    "building": ("{l}mm×{l}mm", "厚度 {s}mm"),
    "auto": ("{v}V", "适用车型 {s}", "{kw} kW"),
}
WITHDRAW_REASONS = ("产品已停产", "产品转型升级，原型号不再生产", "型号合并，改为在新声明中公开",
                    "执行标准调整，重新声明")
AMEND_NOTES = ("更新型式检验报告中的指标值", "补充产品条码和规格", "更正指标检测方法",
               "提高部分性能指标")
LOWER_NOTE = "本产品{name}为满足出口客户的定制要求，低于 {std} 的规定值，已在合同和产品说明书中明示"
EXCLUDED_TITLE_WORDS = ("术语", "试验方法", "测试方法", "检验规则", "测定", "指南", "路线图",
                        "规程", "评价", "安装、使用和维护", "参考架构")
TOPIC_CODES = {"kitchen": "CX", "appliance": "KJ", "textile": "FZ", "fastener": "JG",
               "bearing": "ZC", "motor": "DJ", "battery": "DC", "valve": "FM", "machine": "JX",
               "electronic": "DZ", "medical": "YL", "chemical": "HG", "building": "JC",
               "auto": "QP"}  # product codes in model numbers


@cache
def _topics() -> dict[str, Any]:
    return {t.key: t for t in TOPICS}
