"""Reports for bureaus: the adoption rate (采标率), plan indicators, spot checks (抽查).

Adoption rate: ``models`` (``EnterpriseYear``: above-scale status and output value per
year; plans, indicators, draws), ``definitions`` (named, versioned rules: ``ADOPTION_V1``),
``scoping`` (what is asked — region, industry, year —, who sees it in full, breakdown
keys), ``counting`` (the definition's shared SQL rules), ``adoption`` (the figures in SQL
aggregates, scope per viewer), ``summary`` (``adoption_facts``, kept by the writers'
transaction, which the reports read), ``drilldown`` (the products behind a figure),
``facts`` (setting the yearly facts), ``charts`` (server-side SVG chart kinds, drawn
with ``svg``; the pages' charts composed in ``report_charts``), ``exports`` (CSV/XLSX
carrying the definition), ``schemas``, ``api``, ``views``, ``cli``.
Plans and spot checks: ``plans`` (plans, indicators, progress and its on-track rule),
``computations`` (the named computations an indicator can be bound to), ``spotchecks``
(reproducible draws, results, conformity), ``demo_plans``, ``plan_schemas``, ``plan_api``,
``plan_views``, ``plan_exports``.
"""
