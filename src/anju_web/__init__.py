"""anju 的 Web 系统：填报、审核、退回、审定、评价、监管复核、审计日志与佐证材料。

A Django project over the engine (:mod:`anju`). No scoring happens here: the province's
:class:`anju.dataset.Dataset` is assembled from the database by the collection pipeline
(:func:`anju_web.reviews.assembly.assemble`), and the services call :func:`anju.scoring.evaluate`
and :func:`anju.checks.run_checks` on it. ADR 0004 describes the apps and their layers.
"""
