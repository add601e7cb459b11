#!/bin/sh
# Terraform's aws provider (aws_cloudwatch_event_rule, aws_cloudwatch_event_target)
# against `coalmine serve` on a free 127.0.0.1 port: apply makes the rule and a file
# target that `coalmine rules list` shows; a plan right after has nothing to change
# (what DescribeRule, ListTargetsByRule and ListTagsForResource answer is what was
# configured); an update (description, state, an input transformer) is applied in
# place and again leaves no drift; destroy removes them. The provider comes from a
# filesystem mirror (COALMINE_TF_PLUGINS, default /opt/tf-plugins): no network.
# Skips cleanly when terraform or the provider is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

MIRROR=${COALMINE_TF_PLUGINS:-/opt/tf-plugins}
if ! command -v terraform >/dev/null || ! command -v python3 >/dev/null ||
    [ ! -d "$MIRROR/registry.terraform.io/hashicorp/aws" ]; then
    skip "terraform against coalmine serve" "terraform, python3 or the aws provider ($MIRROR) missing"
    done_testing
    exit 0
fi
VERSION=$(ls "$MIRROR/registry.terraform.io/hashicorp/aws" | sort -V | tail -1)

# The operator lets API callers put file targets here (api.targets, docs/events-api.md "Security").
printf 'api:\n  targets:\n    file_dirs: ["%s", /tmp]\n' "$T" >"$T/targets.yaml"
serve_start open --config "$T/targets.yaml" --db "$T/s.db"
check "serve listens on a free loopback port" test -n "$PORT"
mkdir -p "$T/tf"
cat >"$T/tf/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$T/tf/cli.tfrc" TF_IN_AUTOMATION=1 TF_DATA_DIR="$T/tf/.terraform"
export CHECKPOINT_DISABLE=1 AWS_EC2_METADATA_DISABLED=true
OUT="$T/high.jsonl"

# config DESCRIPTION STATE TARGET_EXTRA
config() {
    cat >"$T/tf/main.tf" <<EOF
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "$VERSION" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    events = "$ENDPOINT"
  }
}
resource "aws_cloudwatch_event_rule" "high" {
  name          = "tf-high"
  description   = "$1"
  state         = "$2"
  event_pattern = jsonencode({ source = ["aws.guardduty"], detail = { severity = [{ numeric = [">=", 7] }] } })
  tags          = { team = "ir" }
}
resource "aws_cloudwatch_event_target" "file" {
  rule      = aws_cloudwatch_event_rule.high.name
  target_id = "file"
  arn       = "arn:aws:coalmine:::file:$OUT"
$3
}
EOF
}
tf() { (cd "$T/tf" && timeout 300 terraform "$@" -input=false -no-color >>"$T/tf.log" 2>&1); }

config "High findings" ENABLED '  input_path = "$.detail"'
tf init
check "terraform init finds the aws provider in the mirror" test $? -eq 0
tf apply -auto-approve
check "terraform apply creates the rule and the target" test $? -eq 0
"$COALMINE" rules list --db "$T/s.db" --format json >"$T/rl.json" 2>"$T/err"
check "coalmine rules list shows them" python3 - "$T/rl.json" "$OUT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["Rules"][0]
spec = r["Targets"][0]["Spec"]
sys.exit(0 if r["Name"] == "tf-high" and r["State"] == "ENABLED" and r["Description"] == "High findings"
         and spec["path"] == sys.argv[2] and spec["input_path"] == "$.detail" else 1)
PY
tf plan -detailed-exitcode
check "terraform plan right after: no changes (no drift)" test $? -eq 0

config "High and Critical" DISABLED '  input_transformer {
    input_paths = { t = "$.detail.type" }
    input_template = "{\"type\": <t>}"
  }'
tf apply -auto-approve
check "terraform apply updates description, state and the input transformer" test $? -eq 0
"$COALMINE" rules list --db "$T/s.db" --format json >"$T/rl2.json" 2>"$T/err"
check "coalmine rules list shows the update" python3 - "$T/rl2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["Rules"][0]
spec = r["Targets"][0]["Spec"]
sys.exit(0 if r["State"] == "DISABLED" and r["Description"] == "High and Critical"
         and spec.get("input_transformer", {}).get("input_paths_map") == {"t": "$.detail.type"}
         and "input_path" not in spec else 1)
PY
tf plan -detailed-exitcode
check "terraform plan after the update: no drift" test $? -eq 0

tf destroy -auto-approve
check "terraform destroy" test $? -eq 0
"$COALMINE" rules list --db "$T/s.db" >"$T/rl3.txt" 2>"$T/err"
check "coalmine rules list: the rule is gone" sh -c "! grep -q tf-high '$T/rl3.txt'"
serve_stop
check "serve exits 0" test "$SERVE_RC" = 0
done_testing
