# Trivy ignore policy of the Varnish image only (ci/src/artifacts.ts passes it as --ignore-policy to that image's
# scans; the API image's scans take none). Read by Trivy as Rego v0, one finding at a time (input: the finding).
#
# Why: varnishd compiles the VCL to C and builds it with cc when it starts, so the Debian package depends on gcc,
# binutils and libc6-dev (images/image-contents.test.ts). That toolchain only ever compiles our own VCL, from the
# chart's ConfigMap, once at start; it never sees a request, a client's input or the network. Debian leaves many
# findings in it unfixed ("affected", "will_not_fix", "fix_deferred"): linux-libc-dev alone carries the Linux kernel's
# CVEs, yet holds only headers (the running kernel is the node's).
#
# Scope: exactly the packages the image holds only for that toolchain (images/varnish/toolchain.ts computes them from
# the image; images/image-contents.test.ts runs Trivy's own filter over them), and only findings with no fixed
# Debian version. A fixed one still fails the gate (rebuilding the image picks it up); every other package, the base,
# Varnish and the exporter included, is gated in full.
package trivy

default ignore = false

toolchain_only := {
	"binutils", "binutils-common", "libbinutils", "libctf0", "libctf-nobfd0", "libgprofng0", "libjansson4",
	"libsframe1", "libc-dev-bin", "libc6-dev", "libcrypt-dev", "linux-libc-dev", "rpcsvc-proto", "libasan8",
	"libatomic1", "libcc1-0", "libgomp1", "libhwasan0", "libitm1", "liblsan0", "libquadmath0", "libtsan2",
	"libubsan1", "libisl23", "libmpc3", "libmpfr6",
}

# The architecture-named compiler packages (x86-64 and aarch64 builds of the image).
toolchain_pattern := `^(binutils|gcc|gcc-[0-9]+|cpp|cpp-[0-9]+)-(x86-64|aarch64)-linux-gnu$|^libgcc-[0-9]+-dev$`

toolchain(name) {
	toolchain_only[name]
}

toolchain(name) {
	regex.match(toolchain_pattern, name)
}

unfixed := {"affected", "will_not_fix", "fix_deferred", "end_of_life"}

ignore {
	input.Type == "vulnerability"
	toolchain(input.PkgName)
	unfixed[input.Status]
	object.get(input, "FixedVersion", "") == ""
}
