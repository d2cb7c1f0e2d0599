from stripper.cli import main

if __name__ == "__main__":  # Dask's worker processes are spawned: they import this module and must not run the CLI
    main()
