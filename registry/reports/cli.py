"""``registry report ...``: reports for scheduled jobs (``registry report adoption``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.errors import RegistryError
from registry.extensions import db
from registry.reports import adoption, exports, scoping, summary


@click.group("report")
def report_group() -> None:
    """Reports for bureaus (figures as of the data now; the definition is in every file)."""


@report_group.command("adoption")
@click.option("--region", default=scoping.DEFAULT_REGION, show_default=True,
              help="GB/T 2260 code; the region and everything under it.")
@click.option("--year", type=int, default=None, help="Default: the last complete year.")
@click.option("--industry", default=None, help="GB/T 4754 section (C), division (38) or group.")
@click.option("--weight", type=click.Choice(adoption.WEIGHTS), default="both", show_default=True)
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the report as XLSX here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the report as CSV here.")
@with_appcontext
def adoption_command(region: str, year: int | None, industry: str | None, weight: str,
                     xlsx_path: Path | None, csv_path: Path | None) -> None:
    """The adoption rate (采标率) of a region, an industry and a year.

    The command line holds the database, so it reports in full (output values included),
    as an administrator would see it.
    """
    try:
        scope = scoping.resolve_scope(None, region, year, industry)
        rep = adoption.adoption_report(None, scope, weight, trusted=True)
    except RegistryError as exc:
        details = "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(exc.message + (f"（{details}）" if details else "")) from exc
    t = rep.total
    click.echo(f"{rep.definition.title_zh}（{rep.definition.id}）")
    click.echo(f"{scope.region_name}{' · ' + (scope.industry_name or '') if scope.industry else ''}"
               f" · {scope.year} 年")
    click.echo(f"按产品数 by count: {_pct(t.rate)}  ({t.adopting}/{t.products})")
    click.echo(f"按产值 by output: {_pct(t.output_rate)}  ({t.output_adopting or 0:.1f}/"
               f"{t.output or 0:.1f} 万元; {t.unvalued} 个产品未填产值)")
    click.echo(f"规上企业 {t.enterprises}；未计入：非规上 {t.not_above}，缺少年度记录 {t.no_record}"
               f"（{t.excluded_products} 个主导产品）")
    for cell in rep.by_region:
        f = cell.figures
        click.echo(f"  {cell.region} {cell.region_name:<8} {_pct(f.rate):>7} "
                   f"({f.adopting}/{f.products})  {_pct(f.output_rate):>7}")
    if xlsx_path:
        xlsx_path.write_bytes(exports.report_xlsx(rep))
        click.echo(f"已写入 {xlsx_path}")
    if csv_path:
        csv_path.write_bytes(exports.report_csv(rep))
        click.echo(f"已写入 {csv_path}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@report_group.command("summary")
@click.option("--rebuild", is_flag=True, help="Recompute the summary from the live data.")
@click.option("--check", "check_", is_flag=True,
              help="Compare the summary with the live computation (exit 1 on a difference).")
@with_appcontext
def summary_command(rebuild: bool, check_: bool) -> None:
    """The adoption report's summary (adoption_facts): state, --rebuild, --check.

    Rebuild once after upgrading a database that has declarations, after a large catalogue
    import (the summary is then stale and reports compute live) and once a year (a year
    after the horizon is computed live).
    """
    if rebuild:
        rows = summary.rebuild()
        db.session.commit()
        click.echo(f"rebuilt: {rows} rows")
    st = summary.state()
    click.echo("not built" if st is None else
               f"horizon {st.horizon}, {'STALE' if st.stale else 'current'}, "
               f"rebuilt {st.rebuilt_at:%Y-%m-%d %H:%M} UTC")
    if check_:
        diffs = summary.check()
        for d in diffs[:20]:
            click.echo(f"  differs: {d}")
        if diffs:
            raise click.ClickException(f"{len(diffs)} rows differ from the live computation")
        click.echo("check: the summary equals the live computation")
