"""anju 的 Web 系统：填报、审核、退回、审定、评价、监管复核、审计日志与佐证材料。

A Django project over the engine (:mod:`anju`). No scoring happens here: views assemble a
:class:`anju.dataset.Dataset` from the database (:func:`anju_web.submissions.assembly.assemble_dataset`)
and call :func:`anju.scoring.evaluate` and :func:`anju.checks.run_checks`.
"""
