# outside/secret.txt beside the jail outside/jail (preopened as /jail), and
# symlinks in the jail that point out of it; outside/rojail (preopened
# read-only as /ro) with one file.
set(outside "${WORK}/outside")
file(MAKE_DIRECTORY "${outside}/jail/sub" "${outside}/rojail")
file(WRITE "${outside}/secret.txt" "top secret\n")
file(WRITE "${outside}/rojail/ro.txt" "read only\n")
file(CREATE_LINK "../secret.txt" "${outside}/jail/link_out" SYMBOLIC)
file(CREATE_LINK "${outside}/secret.txt" "${outside}/jail/abs_link" SYMBOLIC)
file(CREATE_LINK ".." "${outside}/jail/dir_link" SYMBOLIC)
file(CREATE_LINK "/" "${outside}/jail/root_link" SYMBOLIC)
file(CREATE_LINK "sub/chain2" "${outside}/jail/chain1" SYMBOLIC)
file(CREATE_LINK "../../secret.txt" "${outside}/jail/sub/chain2" SYMBOLIC)
