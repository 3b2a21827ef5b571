// etcd for the rehearsal cluster: the etcd server module version Kubernetes v1.34 itself pins.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
