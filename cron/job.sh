# Sourced by the cron wrappers (slo-report-monthly, slo-report-collect), which set
#   job           the wrapper's name, for messages, the default log (~/.local/state/slo-report/<job
#                 without the slo-report- prefix>.log) and the default lock (<job>.lock);
#   subcommand    the slo-report command (run, collect);
#   options       its fixed options, e.g. (--send), passed after --config CONFIG.
# What it does is described in each wrapper's header (`WRAPPER --help`).
set -uo pipefail

usage() { echo "usage: $job [--env-file FILE] [--log FILE] [--lock FILE] CONFIG [$subcommand options]" >&2; exit 64; }

env_file=""
log_file="${SLO_REPORT_LOG:-${XDG_STATE_HOME:-$HOME/.local/state}/slo-report/${job#slo-report-}.log}"
lock_file="${SLO_REPORT_LOCK:-${XDG_RUNTIME_DIR:-/tmp}/$job.lock}"
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) [ $# -ge 2 ] || usage; env_file=$2; shift 2 ;;
    --log) [ $# -ge 2 ] || usage; log_file=$2; shift 2 ;;
    --lock) [ $# -ge 2 ] || usage; lock_file=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "$job: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
config=$1; shift

mkdir -p "$(dirname "$log_file")" || { echo "$job: cannot create the folder of $log_file" >&2; exit 64; }
log() { local line; for line in "$@"; do printf '%(%Y-%m-%dT%H:%M:%S%z)T [%d] %s\n' -1 "$$" "$line" >>"$log_file"; done; }
fail() { log "$1"; echo "$job: $1 (log: $log_file)" >&2; exit "$2"; }

exec 9>>"$lock_file" || fail "cannot open the lock file $lock_file" 64
if ! flock --nonblock 9; then
  fail "another run holds $lock_file; not starting a second one" 75
fi

if [ -n "$env_file" ]; then
  [ -r "$env_file" ] || fail "cannot read the environment file $env_file" 64
  if [ -n "$(find "$env_file" -perm /o=r 2>/dev/null)" ]; then
    log "warning: $env_file is readable by every user; chmod 600 it (it holds secrets)"
  fi
  set -a
  # shellcheck disable=SC1090
  . "$env_file" || fail "the environment file $env_file has an error" 64
  set +a
fi

command=${SLO_REPORT_CMD:-slo-report}
log "starting: $command $subcommand --config $config${options[*]:+ ${options[*]}}${*:+ $*}"
"$command" "$subcommand" --config "$config" "${options[@]}" "$@" 2>&1 | while IFS= read -r line || [ -n "$line" ]; do log "$line"; done
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  log "failed: exit $status"
  { echo "$job: slo-report exited with status $status; its last lines (log: $log_file):"
    grep -F " [$$] " "$log_file" | tail -n 20; } >&2
  exit "$status"
fi
log "finished: exit 0"
exit 0
