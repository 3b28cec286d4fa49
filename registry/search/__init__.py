"""Full-text search: a rebuildable view of the database (see DESIGN.md).

    analysis.py         analyzers: jieba words, bigrams, English, standard-number keys
    documents.py        database rows -> index documents (and their content signatures)
    index.py            schema and INDEX_VERSION, generations, atomic swap, writer lock
    outbox.py           change feed rows written in the transaction of every change
    indexer.py          the one updater (applies the feed), full rebuild, check-index
    backend.py          one searcher per process, refreshed as the index changes; cache
    planner.py          typed text -> a Whoosh query (numbers, words, phrases)
    query.py            the query engine: count, rank, order by date or number, facets,
                        did-you-mean, type-ahead
    vectors.py          exact match sets over posting lists as numpy arrays, status and
                        date order from the date columns, the decoded-list cache
    ranking.py          Whoosh's BM25F for every match at once; phrase positions checked
    whoosh_internals/   everything that reads or patches Whoosh's private formats: one
                        version check, ``install()`` (from IndexStore), ``originals()``
    services.py         search use cases for the page and the API (highlight, loading)
    schemas.py          query-string validation
    views.py, api.py    the HTML page and the JSON endpoints
    cli.py              reindex, check-index, index-worker
    models.py           the change feed table
"""
