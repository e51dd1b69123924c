"""Running the chapter notebooks: which run, in which worker, on the warm-kernel engine, and which the cache reuses."""
