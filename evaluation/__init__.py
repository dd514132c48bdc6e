"""Development tools, kept out of the runtime package: quality evaluation with ablations
(`speechqa eval`), embedder calibration (`speechqa calibrate`), benchmarks (`speechqa bench`) and
load tests (`speechqa loadtest`). They register their commands with the CLI through the
`speechqa.commands` entry point; plotting needs the `eval` extra (matplotlib)."""
