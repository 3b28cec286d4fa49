"""Reports for bureaus: the adoption rate (采标率) and the per-year facts it needs.

Modules: ``models`` (``EnterpriseYear``: an enterprise's above-scale status and output value
per year), ``definitions`` (named, versioned rules: ``ADOPTION_V1``), ``adoption`` (the
computation in SQL aggregates, scope per viewer), ``drilldown`` (the products behind a
figure), ``facts`` (setting the yearly facts),
``exports`` (CSV/XLSX carrying the definition), ``schemas``, ``api``, ``views``, ``cli``.
"""
