from anju_web.manage import main

main()
