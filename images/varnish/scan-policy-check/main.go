// trivy-policy-check applies a Trivy ignore policy (Rego) to a Trivy JSON report exactly as `trivy image
// --ignore-policy FILE --severity HIGH,CRITICAL` does, with Trivy's own filter (pkg/result.Filter) at the version of
// the pipeline's Trivy image, and prints the findings left, one "package id" per line. Trivy's vulnerability database
// cannot be downloaded where this repository is tested, so images/varnish/scan-policy.test.ts hands it findings made
// up for every package of the Varnish image. Build it as Trivy's releases are built (GOEXPERIMENT=jsonv2:
// tools/install.d/72-trivy-policy.sh); without that, Trivy hands the policy a nested input and no rule matches.
//
//	trivy-policy-check POLICY.rego < report.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	dbTypes "github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy/pkg/result"
	"github.com/aquasecurity/trivy/pkg/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: trivy-policy-check POLICY.rego < report.json")
		os.Exit(2)
	}
	var report types.Report
	if err := json.NewDecoder(os.Stdin).Decode(&report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	opts := result.FilterOptions{
		Severities: []dbTypes.Severity{dbTypes.SeverityHigh, dbTypes.SeverityCritical},
		PolicyFile: os.Args[1],
	}
	if err := result.Filter(context.Background(), report, opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, r := range report.Results {
		for _, v := range r.Vulnerabilities {
			fmt.Printf("%s %s\n", v.PkgName, v.VulnerabilityID)
		}
	}
}
