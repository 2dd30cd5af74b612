# The preopened directory, with one file the host wrote.
file(MAKE_DIRECTORY "${WORK}/sandbox")
file(WRITE "${WORK}/sandbox/host.txt" "written by the host\n")
