// Package deploy holds no code, only tests that keep the deployment files at
// the repository root (template.yaml, events/) true to the Go code: the Glue
// columns against the Parquet schemas, the sample events against the event
// parser, and the template against cfn-lint.
package deploy
