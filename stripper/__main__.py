from stripper.cli import main

main()
