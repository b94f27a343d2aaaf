from forestlab.cli import run

if __name__ == "__main__":  # worker processes import this module too, and must not run it
    run()
