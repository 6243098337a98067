# just front door (many homelab repos moved from go-task to just): `just run cluster:status --cluster lab`.
# Every recipe forwards to the rackhand CLI, which owns flags, validation and confirmation.
set positional-arguments

default:
    @npx tsx tasks list

# run any rackhand task: just run talos:upgrade-node --cluster lab --all
run task *args:
    npx tsx tasks "$@"
