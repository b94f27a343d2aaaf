from forestlab.cli import run

run()
