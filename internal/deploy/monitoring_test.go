package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/metrics"
)

// TestTemplate_Monitoring checks that every alarm watches a metric the
// function writes (or the failure queue), with dimensions it writes, and
// notifies the alarm topic; that staleness alarms on missing data; that
// the function names its stack; and that the README's "Operating it"
// explains every alarm.
func TestTemplate_Monitoring(t *testing.T) {
	tmpl := loadTemplate(t)
	resources := lookup(tmpl, "Resources")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, operating, ok := strings.Cut(string(readme), "\n## Operating it\n")
	if !ok {
		t.Fatal(`README.md has no "## Operating it" section`)
	}
	operating, _, _ = strings.Cut(operating, "\n## ")

	alarms := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(lookup(res, "Type")) != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms++
		props := lookup(res, "Properties")
		if a := lookup(props, "AlarmActions"); a == nil || len(a.Content) != 1 || a.Content[0].Tag != "!Ref" || a.Content[0].Value != "AlarmTopic" {
			t.Errorf("%s does not notify AlarmTopic", id)
		}
		if !strings.Contains(operating, "`"+id+"`") {
			t.Errorf("README's Operating it does not explain %s", id)
		}
		checkAlarmMetric(t, id, props)
	}
	checkRowsDropAlarms(t, resources)
	if alarms < 6 {
		t.Errorf("%d alarms; want staleness, failed run, rows drop, 429s, invocations per run, failure queue", alarms)
	}
	stale := lookup(resources, "SnapshotStaleAlarm", "Properties")
	if scalar(lookup(stale, "TreatMissingData")) != "breaching" || scalar(lookup(stale, "MetricName")) != metrics.MetricSnapshotsComplete {
		t.Error("SnapshotStaleAlarm must count missing SnapshotsComplete data as breaching")
	}
	if scalar(lookup(resources, "AlarmTopic", "Type")) != "AWS::SNS::Topic" || scalar(lookup(resources, "Dashboard", "Type")) != "AWS::CloudWatch::Dashboard" {
		t.Error("template.yaml lacks the alarm topic or the dashboard")
	}
	env := lookup(resources, "ExportFunction", "Properties", "Environment", "Variables", "EXPORT_STACK_NAME")
	if env == nil || env.Value != "AWS::StackName" {
		t.Error("ExportFunction does not set EXPORT_STACK_NAME to the stack's name, the alarms' Stack dimension")
	}
}

// checkAlarmMetric checks the metrics one alarm reads.
func checkAlarmMetric(t *testing.T, id string, props *yaml.Node) {
	t.Helper()
	type watched struct {
		ns, name string
		dims     *yaml.Node
	}
	var ws []watched
	if ns := scalar(lookup(props, "Namespace")); ns != "" {
		ws = append(ws, watched{ns, scalar(lookup(props, "MetricName")), lookup(props, "Dimensions")})
	}
	if ms := lookup(props, "Metrics"); ms != nil {
		for _, m := range ms.Content {
			if metric := lookup(m, "MetricStat", "Metric"); metric != nil {
				ws = append(ws, watched{scalar(lookup(metric, "Namespace")), scalar(lookup(metric, "MetricName")), lookup(metric, "Dimensions")})
			}
		}
	}
	if len(ws) == 0 {
		t.Errorf("%s reads no metric", id)
	}
	for _, w := range ws {
		switch w.ns {
		case "AWS/SQS":
			continue
		case metrics.Namespace:
		default:
			t.Errorf("%s reads namespace %q", id, w.ns)
			continue
		}
		if !slices.Contains(metrics.Names(), w.name) {
			t.Errorf("%s reads %s, which the function never writes", id, w.name)
		}
		for _, d := range w.dims.Content {
			name, value := scalar(lookup(d, "Name")), lookup(d, "Value")
			switch name {
			case "Stack":
				if value.Tag != "!Ref" || value.Value != "AWS::StackName" {
					t.Errorf("%s: Stack dimension is not the stack's name", id)
				}
			case "Dataset":
				if _, ok := dataset.Lookup(value.Value); !ok {
					t.Errorf("%s: unknown dataset %q", id, value.Value)
				}
			default:
				t.Errorf("%s: dimension %s is not one the function writes", id, name)
			}
		}
	}
}

// flowDatasets are the datasets whose rows are events of one day, not the
// state of the tenant: fewer of them than the day before is no warning.
var flowDatasets = map[string]bool{"job_candidate_changes": true}

// checkRowsDropAlarms checks that every dataset that holds state has an
// alarm on its published rows falling more than RowsDropPercent in a day.
func checkRowsDropAlarms(t *testing.T, resources *yaml.Node) {
	t.Helper()
	watched := map[string]bool{}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		props := lookup(resources.Content[i+1], "Properties")
		if scalar(lookup(resources.Content[i+1], "Type")) != "AWS::CloudWatch::Alarm" || scalar(lookup(props, "Threshold")) != "RowsDropPercent" {
			continue
		}
		for _, m := range lookup(props, "Metrics").Content {
			metric := lookup(m, "MetricStat", "Metric")
			if metric == nil || scalar(lookup(metric, "MetricName")) != metrics.MetricRows {
				continue
			}
			for _, d := range lookup(metric, "Dimensions").Content {
				if scalar(lookup(d, "Name")) == "Dataset" {
					watched[scalar(lookup(d, "Value"))] = true
				}
			}
		}
	}
	for _, name := range dataset.Names() {
		if !flowDatasets[name] && !watched[name] {
			t.Errorf("no alarm watches the rows of %s falling by more than RowsDropPercent", name)
		}
	}
}
