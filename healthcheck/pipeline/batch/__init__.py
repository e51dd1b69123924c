"""Many organisations' books built on a Dask cluster, their comparator files, the batch report and the national summary book."""
