"""Running the chapter notebooks: which run, in which worker, on the warm-kernel engine, and which the cache reuses."""

# papermill loads its engines' entry points when it is first imported, this package's
# warm-kernel engine among them. Importing papermill here, before any module of this package,
# means the engine module is never half-imported when papermill asks for it (importing
# `healthcheck.pipeline.execute.engine` first used to fail with a circular import).
import papermill  # noqa: E402, F401
