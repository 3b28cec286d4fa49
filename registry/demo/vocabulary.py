"""Vocabulary of the demo catalogue generator: title patterns, topics, organisations.

Plain data (plus the small Topic record), kept apart from the generator's logic.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]  # (Chinese, English)
NATURES = ("mandatory", "recommended", "guidance")
# (zh template, en template, scope kind); templates use {m}{n} / {M}{N}, see _fill()
Pattern = tuple[str, str, str]

ORG_MARK = "（示例）"  # appended to every invented organisation name

# -- title patterns ------------------------------------------------------------------------

GENERIC: tuple[Pattern, ...] = (
    ("{m}{n}", "{MN}", "product"),
    ("{m}{n}", "{MN}", "product"),
    ("{m}{n}技术条件", "Technical specifications for {mn}", "product"),
    ("{m}{n}通用技术条件", "General technical requirements for {mn}", "product"),
    ("{m}{n}通用规范", "General specification for {mn}", "product"),
    ("{m}{n}试验方法", "Test methods for {mn}", "test"),
    ("{m}{n}检验规则", "Inspection rules for {mn}", "test"),
    ("{m}{n}质量分级", "Quality grading of {mn}", "product"),
    ("{n}术语", "Terminology for {n_en}", "term"),
    ("{m}{n}可靠性试验方法", "Reliability test methods for {mn}", "test"),
    ("绿色设计产品评价技术规范 {n}",
     "Technical specification for green-design product assessment—{N}", "product"),
)
MANDATORY: tuple[Pattern, ...] = (
    ("{m}{n}安全要求", "Safety requirements for {mn}", "safety"),
    ("{m}{n}安全技术规范", "Safety technical specification for {mn}", "safety"),
)
GUIDANCE: tuple[Pattern, ...] = (
    ("{n}应用指南", "Guidelines for the application of {n_en}", "guide"),
    ("{m}{n}技术发展路线图", "Technology roadmap for {mn}", "guide"),
)
ENERGY: Pattern = ("{n}能效限定值及能效等级",
                   "Minimum allowable values of energy efficiency and energy efficiency grades "
                   "for {n_en}", "eff")
HARMFUL: Pattern = ("{n}有害物质限量", "Limits of harmful substances in {n_en}", "safety")
USAGE: Pattern = ("{n}安装、使用和维护规范",
                  "Specification for installation, use and maintenance of {n_en}", "usage")
EQUIPMENT = GENERIC + (USAGE,)
APPLIANCE_SAFETY: Pattern = (
    "家用和类似用途电器的安全 {n}的特殊要求",
    "Household and similar electrical appliances—Safety—Particular requirements for {n_en}",
    "safety")
SERIES_PARTS: tuple[Pair, ...] = (
    ("通用要求", "General requirements"), ("试验方法", "Test methods"),
    ("安全要求", "Safety requirements"), ("性能要求", "Performance requirements"),
    ("检验规则", "Inspection rules"), ("安装与验收", "Installation and acceptance"),
    ("标志、包装、运输和贮存", "Marking, packaging, transportation and storage"),
)

SCOPES = {
    "product": ("{doc}规定了{t}的术语和定义、分类与标记、技术要求、试验方法、检验规则以及标志、"
                "包装、运输和贮存。{doc}适用于{t}的设计、生产和检验。"),
    "test": ("{doc}描述了{t}的试验原理、试验设备、试样制备、试验步骤和试验报告。"
             "{doc}适用于{t}的检验。"),
    "safety": "{doc}规定了{t}的安全要求、试验方法和检验规则。{doc}适用于{t}的生产、检验和使用。",
    "eff": "{doc}规定了{t}的能效等级、能效限定值和试验方法。{doc}适用于{t}。",
    "term": "{doc}界定了{t}领域的常用术语和定义。{doc}适用于{t}的设计、生产、检验及相关领域。",
    "guide": "{doc}提供了{t}的应用指导和建议。{doc}适用于{t}相关组织参考使用。",
    "service": ("{doc}规定了{t}的基本要求、服务内容、服务流程、服务评价与改进。"
                "{doc}适用于{t}的管理。"),
    "agri": ("{doc}规定了{t}的产地环境、栽培管理、病虫害防治、采收和贮运等技术要求。"
             "{doc}适用于{t}的生产。"),
    "method": "{doc}规定了{t}的测定方法。{doc}适用于{t}的测定。",
    "usage": ("{doc}规定了{t}的安装、调试、使用、维护保养和安全注意事项。"
              "{doc}适用于{t}的安装、使用和维护。"),
}


# -- topics ----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Topic:
    """A subject area: its vocabulary, classification codes and who writes its standards."""

    key: str
    ics: tuple[str, ...]
    ccs: tuple[str, ...]
    nouns: tuple[Pair, ...]
    mods: tuple[Pair, ...]
    sectors: tuple[str, ...]  # industry codes that publish on it
    groups: tuple[str, ...]  # group-standard organisations that publish on it
    tc: str | None  # technical committee
    dept: str  # responsible department (主管部门) of national standards
    org_word: str  # the trade word in invented company names
    patterns: tuple[Pattern, ...] = GENERIC
    mandatory: tuple[Pattern, ...] = MANDATORY
    national: bool = True  # national level may use it
    local: bool = False  # local level may use it
    mandatory_only: bool = False  # only for mandatory national standards
    since: int = 0  # no edition before this year (digital topics are recent)


NO_MOD: Pair = ("", "")
_P = tuple  # short alias used in the table below


TOPICS: tuple[Topic, ...] = (
    Topic("kitchen", ("97.040.20", "97.040.50", "97.040.40"), ("Y68", "Y62", "K35"),
          _P([("吸油烟机", "range hoods"), ("家用燃气灶具", "domestic gas cooking appliances"),
              ("集成灶", "integrated cookers"), ("电饭锅", "electric rice cookers"),
              ("电压力锅", "electric pressure cookers"), ("电磁灶", "induction cookers"),
              ("洗碗机", "dishwashers"), ("电热水壶", "electric kettles"),
              ("破壁料理机", "high-speed blenders"), ("蒸烤一体机", "steam ovens")]),
          _P([NO_MOD, NO_MOD, ("家用", "household "), ("智能", "smart "),
              ("嵌入式", "built-in "), ("商用", "commercial ")]),
          ("QB",), ("ZZB", "CHEAA", "CAS"), "SAC/TC 46 全国家用电器标准化技术委员会",
          "中国轻工业联合会", "厨房电器",
          patterns=EQUIPMENT, mandatory=MANDATORY + (ENERGY, APPLIANCE_SAFETY, APPLIANCE_SAFETY)),
    Topic("appliance", ("97.030", "97.080", "97.100.10", "97.170"), ("Y60", "K61", "Y65"),
          _P([("电风扇", "electric fans"), ("空气净化器", "air purifiers"),
              ("储水式电热水器", "storage water heaters"),
              ("扫地机器人", "robotic vacuum cleaners"),
              ("电暖器", "room heaters"), ("除湿机", "dehumidifiers"), ("电吹风", "hair dryers"),
              ("新风净化机", "fresh air purifiers")]),
          _P([NO_MOD, NO_MOD, ("家用", "household "), ("智能", "smart "), ("便携式", "portable ")]),
          ("QB",), ("ZZB", "CHEAA", "CAS"), "SAC/TC 46 全国家用电器标准化技术委员会",
          "中国轻工业联合会", "电器", patterns=EQUIPMENT,
          mandatory=MANDATORY + (ENERGY, APPLIANCE_SAFETY, APPLIANCE_SAFETY)),
    Topic("fastener", ("21.060.10", "21.060.20", "21.060.30", "21.060.40"), ("J13", "J15"),
          _P([("六角头螺栓", "hexagon head bolts"), ("六角螺母", "hexagon nuts"),
              ("自攻螺钉", "tapping screws"),
              ("内六角圆柱头螺钉", "hexagon socket head cap screws"), ("平垫圈", "plain washers"),
              ("弹簧垫圈", "spring lock washers"), ("抽芯铆钉", "blind rivets"),
              ("膨胀螺栓", "expansion bolts"), ("双头螺柱", "double-end studs")]),
          _P([NO_MOD, ("不锈钢", "stainless steel "), ("高强度", "high-strength "),
              ("热浸镀锌", "hot-dip galvanized "), ("钢结构用", "structural "),
              ("汽车用", "automotive ")]),
          ("JB", "QC"), ("ZZB", "CMIF", "CAS"), "SAC/TC 85 全国紧固件标准化技术委员会",
          "中国机械工业联合会", "紧固件",
          patterns=GENERIC + (("紧固件机械性能 {n}", "Mechanical properties of fasteners—{N}",
                               "product"),
                              ("紧固件 {m}{n}", "Fasteners—{MN}", "product"))),
    Topic("bearing", ("21.100.20",), ("J11",),
          _P([("深沟球轴承", "deep groove ball bearings"),
              ("圆锥滚子轴承", "tapered roller bearings"), ("滚针轴承", "needle roller bearings"),
              ("带座外球面球轴承", "insert bearing units"), ("推力球轴承", "thrust ball bearings"),
              ("关节轴承", "spherical plain bearings")]),
          _P([NO_MOD, ("精密", "precision "), ("低噪声", "low-noise "),
              ("电机用", "electric motor "), ("汽车轮毂用", "automotive wheel hub ")]),
          ("JB",), ("ZZB", "CMIF", "CAS"), "SAC/TC 98 全国滚动轴承标准化技术委员会",
          "中国机械工业联合会", "轴承"),
    Topic("motor", ("29.160.30", "29.160.01"), ("K22", "K20", "K26"),
          _P([("三相异步电动机", "three-phase asynchronous motors"),
              ("永磁同步电动机", "permanent magnet synchronous motors"),
              ("无刷直流电动机", "brushless DC motors"), ("微型电动机", "micro motors"),
              ("减速电机", "geared motors"), ("轮毂电机", "in-wheel motors"),
              ("伺服电动机", "servo motors")]),
          _P([NO_MOD, ("高效", "high-efficiency "), ("变频调速", "variable-frequency "),
              ("防爆型", "explosion-proof "), ("小型", "small "), ("电动车用", "e-vehicle ")]),
          ("JB",), ("ZZB", "CMIF", "CAS"), "SAC/TC 26 全国旋转电机标准化技术委员会",
          "中国电器工业协会", "电机", patterns=EQUIPMENT, mandatory=MANDATORY + (ENERGY,)),
    Topic("valve", ("23.060.01", "23.060.10", "23.080"), ("J16", "J71"),
          _P([("球阀", "ball valves"), ("闸阀", "gate valves"), ("截止阀", "globe valves"),
              ("蝶阀", "butterfly valves"), ("止回阀", "check valves"),
              ("离心泵", "centrifugal pumps"), ("潜水电泵", "submersible electric pumps"),
              ("管道泵", "in-line pumps")]),
          _P([NO_MOD, ("不锈钢", "stainless steel "), ("铸铁", "cast iron "),
              ("法兰连接", "flanged "), ("电动", "electric "), ("卫生级", "sanitary ")]),
          ("JB",), ("ZZB", "CMIF", "CAS"), "SAC/TC 188 全国阀门标准化技术委员会",
          "中国机械工业联合会", "泵阀", patterns=EQUIPMENT, mandatory=MANDATORY + (ENERGY,)),
    Topic("machine", ("23.100.20", "25.040.20", "25.080.01", "83.200"), ("J20", "J50", "J58"),
          _P([("液压缸", "hydraulic cylinders"), ("齿轮泵", "gear pumps"),
              ("数控车床", "CNC lathes"), ("立式加工中心", "vertical machining centres"),
              ("激光切割机", "laser cutting machines"), ("注塑机", "injection moulding machines"),
              ("工业机器人", "industrial robots")]),
          _P([NO_MOD, NO_MOD, ("精密", "precision "), ("重型", "heavy-duty "),
              ("工程机械用", "construction machinery ")]),
          ("JB",), ("ZZB", "CMIF", "CAS"), None, "中国机械工业联合会", "机械",
          patterns=EQUIPMENT),
    Topic("forklift", ("53.060",), ("J83",),
          _P([("纸卷夹", "paper roll clamps"), ("侧移器", "sideshifters"),
              ("推拉器", "push-pull attachments"), ("桶夹", "drum clamps"),
              ("货叉", "fork arms"), ("旋转器", "rotators")]),
          (NO_MOD,), ("JB",), ("ZZB", "CMIF"), "SAC/TC 332 全国工业车辆标准化技术委员会",
          "中国机械工业联合会", "叉车",
          patterns=(("叉车属具 {n}", "Fork-lift truck attachments—{N}", "product"),
                    ("叉车属具 {n}", "Fork-lift truck attachments—{N}", "product"),
                    ("叉车属具 {n} 试验方法", "Fork-lift truck attachments—{N}—Test methods",
                     "test"))),
    Topic("auto", ("43.040.40", "43.040.60", "43.040.10", "43.120"), ("T24", "T26", "T35"),
          _P([("制动软管", "brake hoses"), ("座椅", "seats"),
              ("空调系统", "air-conditioning systems"),
              ("车载充电机", "on-board chargers"), ("刮水器", "windscreen wipers"),
              ("转向节", "steering knuckles"), ("冷却风扇", "cooling fans"),
              ("传导充电连接装置", "conductive charging couplers")]),
          _P([("汽车", "automobile "), ("乘用车", "passenger car "),
              ("商用车", "commercial vehicle "),
              ("电动汽车", "electric vehicle ")]),
          ("QC",), ("ZZB", "CSAE", "CAS"), "SAC/TC 114 全国汽车标准化技术委员会",
          "工业和信息化部", "汽车部件"),
    Topic("bicycle", ("43.150",), ("Y12", "Y13"),
          _P([("电动自行车", "electric bicycles"),
              ("电动自行车用锂离子蓄电池", "lithium-ion batteries for electric bicycles"),
              ("自行车车架", "bicycle frames"),
              ("电动自行车充电器", "chargers for electric bicycles"),
              ("儿童自行车", "children's bicycles"), ("折叠自行车", "folding bicycles")]),
          (NO_MOD,), ("QB",), ("ZZB", "CAS"), None, "中国轻工业联合会", "车业"),
    Topic("battery", ("29.220.30", "29.220.20", "29.220.99"), ("K82", "K84"),
          _P([("锂离子电池", "lithium-ion cells"), ("铅酸蓄电池", "lead-acid batteries"),
              ("电池管理系统", "battery management systems"),
              ("锂离子电池组", "lithium-ion battery packs"),
              ("钠离子电池", "sodium-ion cells")]),
          _P([NO_MOD, ("储能用", "energy storage "), ("动力", "traction "),
              ("便携式电子产品用", "portable electronic ")]),
          ("SJ", "QC"), ("ZZB", "CAS"), None, "工业和信息化部", "电池"),
    Topic("electronic", ("31.180", "31.060.10", "31.220.10", "31.120"), ("L30", "L11", "L23"),
          _P([("印制电路板", "printed circuit boards"),
              ("片式多层陶瓷电容器", "multilayer ceramic chip capacitors"),
              ("LED显示屏", "LED display screens"), ("电源适配器", "power adapters"),
              ("射频连接器", "RF connectors"), ("智能门锁", "smart door locks")]),
          _P([NO_MOD, NO_MOD, ("高频", "high-frequency "), ("户外", "outdoor "),
              ("柔性", "flexible ")]),
          ("SJ",), ("ZZB", "CCSA", "CAS"), None, "工业和信息化部", "电子"),
    Topic("it", ("35.240.01", "35.020", "35.110", "35.030"), ("L70", "L80", "L67"),
          _P([("数据中心", "data centre"), ("云计算服务", "cloud computing services"),
              ("工业互联网平台", "industrial internet platform"),
              ("政务数据共享", "government data sharing"),
              ("物联网感知终端", "internet of things sensing terminals"),
              ("区块链服务", "blockchain services"), ("公共数据开放", "public data opening")]),
          _P([("通用要求", "General requirements"), ("参考架构", "Reference architecture"),
              ("技术要求", "Technical requirements"), ("测试方法", "Test methods"),
              ("评价指标体系", "Evaluation indicator system")]),
          ("SJ", "YD"), ("CCSA", "CAS"), "SAC/TC 28 全国信息技术标准化技术委员会",
          "工业和信息化部", "信息技术", since=2008,
          patterns=(("信息技术 {n} {m}", "Information technology—{N}—{M}", "product"),
                    ("信息技术 {n} {m}", "Information technology—{N}—{M}", "product"),
                    ("信息安全技术 {n}安全要求",
                     "Information security technology—Security requirements for {n_en}",
                     "safety"),
                    ("{n}建设指南", "Guidelines for the construction of {n_en}", "guide")),
          mandatory=(("信息安全技术 {n}安全要求",
                      "Information security technology—Security requirements for {n_en}",
                      "safety"),),
          local=True),
    Topic("textile", ("59.080.30", "59.080.20", "61.020"), ("W04", "W52", "Y76"),
          _P([("真丝绸", "pure silk fabrics"), ("涤纶长丝", "polyester filament yarns"),
              ("针织T恤衫", "knitted T-shirts"), ("羊毛衫", "wool sweaters"),
              ("领带", "neckties"), ("袜子", "socks"), ("羽绒服装", "down garments"),
              ("婴幼儿纺织产品", "textile products for infants"), ("围巾", "scarves")]),
          _P([NO_MOD, NO_MOD, NO_MOD, ("抗菌", "antibacterial "),
              ("阻燃", "flame-retardant ")]),
          ("FZ",), ("ZZB", "CNTAC", "CAS"), "SAC/TC 209 全国纺织品标准化技术委员会",
          "中国纺织工业联合会", "纺织服饰",
          patterns=GENERIC + (("纺织品 色牢度试验 {n}耐摩擦色牢度",
                               "Textiles—Tests for colour fastness—Colour fastness to rubbing "
                               "of {n_en}", "test"),),
          mandatory=MANDATORY + (HARMFUL,)),
    Topic("household", ("97.040.60", "97.020", "79.060"), ("Y87", "Y22", "B69"),
          _P([("一次性竹筷", "disposable bamboo chopsticks"),
              ("不锈钢真空保温杯", "stainless steel vacuum cups"),
              ("竹砧板", "bamboo cutting boards"), ("竹地板", "bamboo flooring"),
              ("玻璃保鲜盒", "glass food containers"), ("眼镜架", "spectacle frames"),
              ("皮鞋", "leather shoes"), ("不锈钢炊具", "stainless steel cookware"),
              ("儿童餐具", "tableware for children"), ("竹席", "bamboo mats")]),
          (NO_MOD,),
          ("QB", "LY"), ("ZZB", "CAS"), None, "中国轻工业联合会", "日用品",
          mandatory=MANDATORY + (HARMFUL,)),
    Topic("tool", ("25.140.20", "25.140.30", "65.060.80", "91.190"), ("J42", "J41", "B91"),
          _P([("电钻", "electric drills"), ("角向磨光机", "angle grinders"), ("链锯", "chain saws"),
              ("园林修剪机", "garden trimmers"), ("防盗安全门", "security doors"),
              ("不锈钢水槽", "stainless steel sinks"), ("扳手", "wrenches")]),
          _P([NO_MOD, ("手持式", "hand-held "), ("锂电", "cordless "), ("电动", "electric ")]),
          ("JB", "QB"), ("ZZB", "CAS"), None, "中国机械工业联合会", "工具"),
    Topic("chemical", ("71.060.10", "71.080.01", "87.040", "83.180"), ("G11", "G51", "G39"),
          _P([("氢氧化钠", "sodium hydroxide"), ("水性涂料", "waterborne coatings"),
              ("聚氯乙烯树脂", "polyvinyl chloride resins"), ("硫酸", "sulphuric acid"),
              ("胶粘剂", "adhesives"), ("有机硅密封胶", "silicone sealants")]),
          _P([NO_MOD, NO_MOD, ("工业用", "industrial "), ("电子级", "electronic grade ")]),
          ("HG",), ("CPCIF", "ZZB", "CAS"), "SAC/TC 63 全国化学标准化技术委员会",
          "中国石油和化学工业联合会", "化工", mandatory=MANDATORY + (HARMFUL,)),
    Topic("medical", ("11.040.20", "11.040.40", "11.040.55", "11.140"), ("C31", "C48", "C39"),
          _P([("无菌注射器", "sterile hypodermic syringes"), ("医用外科口罩", "surgical masks"),
              ("医用防护服", "protective clothing for medical use"),
              ("血压计", "sphygmomanometers"), ("输液器", "infusion sets"),
              ("电子体温计", "clinical electronic thermometers")]),
          _P([NO_MOD, NO_MOD, ("一次性使用", "single-use ")]),
          ("YY",), ("CAS", "ZZB"), None, "国家药品监督管理局", "医疗器械"),
    Topic("agri", ("65.020.20", "67.140.10", "67.080.10", "65.020.40"), ("B31", "X55", "B05"),
          _P([("茶叶", "tea"), ("杨梅", "Chinese bayberry"), ("香榧", "Torreya nuts"),
              ("铁皮石斛", "Dendrobium officinale"), ("茭白", "water bamboo shoots"),
              ("水稻", "rice"), ("柑橘", "citrus"), ("葡萄", "grapes"), ("白茶", "white tea")]),
          (NO_MOD,), ("NY", "LY", "GH"), ("CAS",), None,
          "农业农村部", "农业开发",
          patterns=(("{n}生产技术规程", "Technical code of practice for {n_en} production", "agri"),
                    ("{n}病虫害绿色防控技术规范",
                     "Technical specification for green control of pests and diseases of {n_en}",
                     "agri"),
                    ("{n}种苗繁育技术规程",
                     "Technical code of practice for {n_en} seedling breeding", "agri"),
                    ("绿色食品 {n}", "Green food—{N}", "product"),
                    ("{n}质量分级", "Quality grading of {n_en}", "product")),
          local=True),
    Topic("food", ("67.040", "67.100.10", "67.200.10", "67.060"), ("X04", "X16", "X14"),
          _P([("饮料", "beverages"), ("糕点、面包", "pastries and bread"),
              ("食用植物油", "edible vegetable oils"), ("蜂蜜", "honey"),
              ("发酵乳", "fermented milk"),
              ("速冻面米制品", "quick-frozen flour and rice products"), ("酱油", "soy sauce")]),
          (NO_MOD,), (), (), None, "国家卫生健康委员会", "食品",
          patterns=(("食品安全国家标准 {n}", "National food safety standard—{N}", "product"),
                    ("食品安全国家标准 {n}生产卫生规范",
                     "National food safety standard—Hygienic specifications for the production "
                     "of {n_en}", "product")),
          mandatory_only=True),
    Topic("foodtest", ("67.050",), ("X04", "C53"),
          _P([("铅", "lead"),
              ("苯甲酸、山梨酸和糖精钠", "benzoic acid, sorbic acid and saccharin sodium"),
              ("黄曲霉毒素M族", "aflatoxin M group"), ("亚硝酸盐与硝酸盐", "nitrite and nitrate"),
              ("二氧化硫", "sulfur dioxide"), ("脂肪", "fat")]),
          (NO_MOD,), (), (), None, "国家卫生健康委员会", "检测",
          patterns=(("食品安全国家标准 食品中{n}的测定",
                     "National food safety standard—Determination of {n_en} in foods", "method"),),
          mandatory_only=True),
    Topic("building", ("91.100.23", "91.100.30", "81.040.20", "91.100.50"), ("Q15", "Q13", "Q34"),
          _P([("陶瓷砖", "ceramic tiles"),
              ("蒸压加气混凝土砌块", "autoclaved aerated concrete blocks"),
              ("建筑用安全玻璃", "safety glass for buildings"), ("预拌砂浆", "ready-mixed mortar"),
              ("防水卷材", "waterproofing membranes"),
              ("保温装饰板", "insulating decorative panels")]),
          _P([NO_MOD, NO_MOD, NO_MOD, ("装配式建筑用", "prefabricated building ")]),
          ("JC", "JG"), ("CECS", "ZZB", "CAS"), None, "中国建筑材料联合会", "建材",
          mandatory=MANDATORY + (HARMFUL,), local=True),
    Topic("env", ("13.060.50", "13.040.20", "13.080.10"), ("Z16", "Z15", "Z18"),
          _P([("氨氮", "ammonia nitrogen"), ("总磷", "total phosphorus"),
              ("化学需氧量", "chemical oxygen demand"), ("六价铬", "hexavalent chromium"),
              ("挥发酚", "volatile phenol"), ("多环芳烃", "polycyclic aromatic hydrocarbons")]),
          _P([("分光光度法", "Spectrophotometric method"), ("离子色谱法", "Ion chromatography"),
              ("气相色谱-质谱法", "Gas chromatography-mass spectrometry"),
              ("流动注射法", "Flow injection analysis")]),
          ("HJ",), ("CAS",), None, "生态环境部", "环境科技",
          patterns=(("水质 {n}的测定 {m}", "Water quality—Determination of {n_en}—{M}", "method"),
                    ("环境空气 {n}的测定 {m}", "Ambient air—Determination of {n_en}—{M}", "method"),
                    ("土壤和沉积物 {n}的测定 {m}",
                     "Soil and sediment—Determination of {n_en}—{M}", "method")),
          national=False, local=True),
    Topic("safety", ("13.100", "13.200", "13.300"), ("C65", "C66", "C67"),
          _P([("有限空间作业", "confined space operations"),
              ("粉尘防爆", "dust explosion prevention"),
              ("危险化学品仓库储存", "hazardous chemicals warehouse storage"),
              ("涂装作业", "painting operations"), ("金属冶炼", "metal smelting"),
              ("电动自行车集中充电场所", "centralized charging sites for electric bicycles")]),
          (NO_MOD,), ("AQ",), ("CAS",), "SAC/TC 288 全国安全生产标准化技术委员会",
          "应急管理部", "安全技术",
          patterns=(("{n}安全规程", "Safety code for {n_en}", "safety"),
                    ("{n}安全技术规范", "Technical specification for safety of {n_en}", "safety"),
                    ("{n}安全风险评估导则", "Guidelines for safety risk assessment of {n_en}",
                     "guide")),
          mandatory=(("{n}安全规程", "Safety code for {n_en}", "safety"),), local=True),
    Topic("service", ("03.080.01", "03.080.30", "03.100.01", "03.120.10"), ("A12", "A16", "A00"),
          _P([("养老机构", "elderly care institutions"), ("物业管理", "property management"),
              ("家政", "housekeeping"), ("快递", "express delivery"),
              ("民宿", "homestays"), ("政务服务中心", "government service centres"),
              ("未来社区", "future communities"), ("数字乡村", "digital villages"),
              ("标准化服务机构", "standardization service agencies"),
              ("检验检测机构", "inspection and testing bodies")]),
          (NO_MOD,), ("SB",), ("CAS",), "SAC/TC 264 全国服务标准化技术委员会",
          "国家标准化管理委员会", "服务", since=2003,
          patterns=(("{n}服务规范", "Service specification for {n_en}", "service"),
                    ("{n}服务质量评价", "Service quality evaluation for {n_en}", "service"),
                    ("{n}建设与管理规范",
                     "Specification for construction and management of {n_en}", "service"),
                    ("{n}评价指南", "Guidelines for evaluation of {n_en}", "guide")),
          local=True),
    Topic("power", ("29.180", "27.160", "29.060.20", "27.180", "43.120"), ("K41", "F12", "K13"),
          _P([("配电变压器", "distribution transformers"), ("光伏组件", "photovoltaic modules"),
              ("电动汽车充电桩", "charging piles for electric vehicles"),
              ("风力发电机组", "wind turbine generator systems"), ("电力电缆", "power cables"),
              ("储能变流器", "power conversion systems for energy storage")]),
          _P([NO_MOD, NO_MOD, ("户用", "residential "), ("智能", "smart ")]),
          ("DL", "NB"), ("ZZB", "CAS"), "SAC/TC 44 全国变压器标准化技术委员会",
          "中国电力企业联合会", "电力设备", patterns=EQUIPMENT, since=1995,
          mandatory=MANDATORY + (ENERGY,)),
    Topic("packaging", ("55.160", "55.080", "55.020"), ("A82", "A80"),
          _P([("瓦楞纸箱", "corrugated boxes"), ("塑料周转箱", "plastic turnover boxes"),
              ("快递包装袋", "express packaging bags"), ("食品包装用纸", "food packaging paper")]),
          _P([NO_MOD, ("可循环", "reusable "), ("可降解", "degradable ")]),
          ("BB",), ("ZZB", "CAS"), "SAC/TC 49 全国包装标准化技术委员会", "中国包装联合会", "包装"),
)

ZJ_CITIES = (("01", "杭州市"), ("02", "宁波市"), ("03", "温州市"), ("04", "嘉兴市"),
             ("05", "湖州市"), ("06", "绍兴市"), ("07", "金华市"), ("08", "衢州市"),
             ("09", "舟山市"), ("10", "台州市"), ("11", "丽水市"))
OTHER_PROVINCES = ("32", "31", "44", "37", "35", "34", "11", "51", "42", "36", "43", "50")

ZJ_PLACES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州", "嵊州", "永康",
             "义乌", "慈溪", "余姚", "乐清", "瑞安", "海宁", "诸暨", "安吉", "德清", "玉环")
CN_PLACES = ("北京", "上海", "广州", "深圳", "苏州", "无锡", "青岛", "武汉", "成都", "西安",
             "天津", "厦门", "合肥", "长沙", "佛山", "东莞") + ZJ_PLACES
BRAND_CHARS = "恒达华越新瑞泰宏信安嘉诚联创正通明睿鼎盛金源丰利德康博远凯科航亿腾杰锦华飞"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
            "许韩冯邓曹彭曾肖田董潘袁蒋蔡余杜叶程魏")
GIVEN = ("伟", "芳", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华", "平",
         "建国", "晓东", "海燕", "志强", "丽华", "文斌", "国平", "晓明", "建华", "雪梅", "俊杰",
         "永康", "伟民", "红英", "立新", "春生", "燕飞", "卫东", "宏伟", "佳琪", "子涵")
LAB_WORDS = ("产品质量检验研究院", "标准化研究院", "质量技术监督检测研究院", "计量质量检测研究院")

# topics that mandatory national standards (GB) are drawn from
MANDATORY_TOPICS = ("kitchen", "appliance", "motor", "valve", "auto", "bicycle", "battery",
                    "textile", "household", "chemical", "medical", "food", "foodtest",
                    "building", "safety", "it", "power")
ELECTRIC_TOPICS = ("kitchen", "appliance", "motor", "battery", "electronic", "power")
INTL_PATTERNS: tuple[Pattern, ...] = (
    ("{m}{n}", "{MN}", "product"), ("{m}{n} 技术要求", "{MN}—Specifications", "product"),
    ("{m}{n} 试验方法", "{MN}—Test methods", "test"),
    ("{m}{n} 安全要求", "{MN}—Safety requirements", "safety"),
    ("{n} 术语", "{N}—Vocabulary", "term"),
)
LOCAL_TC_FIELDS = {"it": "数字化", "agri": "农业", "building": "建设", "env": "生态环境",
                   "safety": "安全生产", "service": "服务业"}
