module wasmrt.invalid/tests/go/jsonconv

go 1.24

require (
	github.com/BurntSushi/toml v1.6.0
	gopkg.in/yaml.v3 v3.0.1
)
