"""anju（安居）：中央财政城镇保障性安居工程补助资金绩效评价。

The engine is a library: load a framework (:mod:`anju.framework`), load a dataset
(:mod:`anju.dataset`), score it (:mod:`anju.scoring`) and check it (:mod:`anju.checks`).
"""

__version__ = "0.1.0"
