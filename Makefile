# keka-hire-export: `make help` lists the targets.

# Tools installed by `make tools`, pinned.
RIE_MODULE   := github.com/aws/aws-lambda-runtime-interface-emulator
RIE_VERSION  := v0.0.0-20261030222936-bef5c4ba774d
MOTO_VERSION := 5.2.1
CFN_LINT_VERSION := 1.51.0
AWSCLI_VERSION := 1.45.11
STATICCHECK_VERSION := v0.8.2

# Tests and lint find the tools here first.
export PATH := $(CURDIR)/bin:$(CURDIR)/.venv/bin:$(PATH)

EVENT    ?= events/manual.json
STACK    ?= keka-hire-export
FUNCTION ?=
FUZZTIME ?= 30s

# AWS CLI v2 reads --payload as base64 unless told otherwise; v1 has no such
# option and reads it as text.
AWS_PAYLOAD_FORMAT = $(shell aws --version 2>&1 | grep -q '^aws-cli/1\.' || echo --cli-binary-format raw-in-base64-out)

# The Lambda bootstrap: lambda.norpc drops the runtime's unused RPC mode,
# nodemo leaves the Keka simulator (and with it --demo) out of the binary.
LAMBDA_TAGS := lambda.norpc,nodemo
GO_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags $(LAMBDA_TAGS) -trimpath -ldflags "-s -w"

.PHONY: help build build-ExportFunction demo test bench fuzz lint deploy invoke tools clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

build: ## build bin/bootstrap, the Lambda binary (linux/arm64, no simulator, no --demo)
	$(GO_BUILD) -o bin/bootstrap ./functions/export

build-ExportFunction: ## build the Lambda binary into $(ARTIFACTS_DIR); run by `sam build`
	$(GO_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/export

demo: ## export a simulated tenant to ./out, no credentials needed (a build without -tags nodemo)
	go run ./functions/export --demo

test: tools ## install the tools, then run every test
	go test -count=1 -timeout 20m ./...

# make bench prints the table of docs/benchmarks.md first: BenchmarkExport
# (internal/bench) exports 10k, 100k and 1M generated applications, each in
# a child process of its own, and has DuckDB convert the same pages; each
# case runs once (-benchtime 1x). Then every other Go benchmark of the
# module, the rate benchmark (BenchmarkRunner_RateEfficiency, about three
# minutes) among them. Four to seven minutes in all.
bench: ## print the export table (10k/100k/1M applications vs DuckDB), then run every Go benchmark (4 to 7 minutes)
	go test -run '^$$' -bench '^BenchmarkExport$$' -benchmem -benchtime 1x -timeout 15m ./internal/bench
	go test -run '^$$' -bench . -skip '^BenchmarkExport$$' -benchmem -timeout 15m ./...

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' functions internal | xargs -n1 dirname | sort -u); do \
		for target in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | cut -d' ' -f2); do \
			echo "fuzz ./$$dir $$target"; \
			go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

lint: tools ## go vet, gofmt, staticcheck and cfn-lint
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	@unformatted=$$(gofmt -l functions internal); \
		if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	cfn-lint template.yaml

deploy: ## sam build and a guided sam deploy
	sam build
	sam deploy --guided

invoke: ## invoke the deployed function once with EVENT (default events/manual.json)
	@fn="$(FUNCTION)"; \
		if [ -z "$$fn" ]; then \
			fn=$$(aws cloudformation describe-stacks --stack-name $(STACK) \
				--query "Stacks[0].Outputs[?OutputKey=='FunctionName'].OutputValue" --output text); \
		fi; \
		AWS_MAX_ATTEMPTS=1 aws lambda invoke --function-name "$$fn" $(AWS_PAYLOAD_FORMAT) \
			--cli-read-timeout 0 --payload file://$(EVENT) out.json && cat out.json && echo

tools: ## install the test tools (pinned) that are missing: aws-lambda-rie, moto_server, cfn-lint, aws
	@if ! go version -m bin/aws-lambda-rie 2>/dev/null | grep -q '$(RIE_VERSION)'; then \
		echo "installing aws-lambda-rie $(RIE_VERSION) into bin/"; \
		GOBIN=$(CURDIR)/bin go install $(RIE_MODULE)/cmd/aws-lambda-rie@$(RIE_VERSION); \
	fi
	@if ! command -v moto_server >/dev/null || ! command -v cfn-lint >/dev/null || ! command -v aws >/dev/null; then \
		echo "installing moto $(MOTO_VERSION), cfn-lint $(CFN_LINT_VERSION) and awscli $(AWSCLI_VERSION) into .venv/"; \
		python3 -m venv .venv && \
		.venv/bin/pip install --quiet 'moto[server]==$(MOTO_VERSION)' 'cfn-lint==$(CFN_LINT_VERSION)' 'awscli==$(AWSCLI_VERSION)'; \
	fi

clean: ## remove build output (bin/bootstrap, .aws-sam, out, out.json); keeps the tools
	rm -rf bin/bootstrap .aws-sam out out.json
