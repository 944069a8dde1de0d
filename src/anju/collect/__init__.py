"""Collecting figures from the cities and counties: the region tree, the units' reports, the rows a
unit answers and the one value reader, validation rules, completeness, the roll-up up the tree, and
the pipeline from a units file to the province dataset. Independent of :mod:`anju.scoring`."""
