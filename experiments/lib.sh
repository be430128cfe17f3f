# Helpers shared by the experiment scripts; sourced after `d4j` (the command to run) is set.
# Both skip finished work, so a script can be re-run to complete an interrupted experiment, and both obey
# ONLY=REGEX (only runs whose folder name matches), so that an experiment can be split across processes.

# run DIR ARGS...: `distill4j train ARGS... -o DIR` (log in DIR.log) unless DIR holds a finished run.
run() { local dir=$1; shift; [[ "$(basename "$dir")" =~ ${ONLY:-.} ]] || return 0
        [ -f "$dir/summary.json" ] || $d4j train "$@" ${EXTRA_SET:-} -o "$dir" > "$dir.log" 2>&1; }

# fit RUN [OUT]: the scores of RUN's last checkpoint on its training split as trained on (no augmentation),
# as JSON in OUT (default RUN.fit.json), once RUN has finished.
fit() { local r=$1 f=${2:-$1.fit.json}; [[ "$(basename "$r")" =~ ${ONLY:-.} ]] || return 0
        [ -f "$r/summary.json" ] || return 0
        [ -f "$f" ] || $d4j eval -c "$r/config.yaml" --checkpoint "$r/checkpoints/last.ckpt" --split train --json > "$f"; }

# The overrides that turn configs/fashion-mnist/dml.yaml into its one-network baseline ("alone").
alone=(--set networks.peer2=null --set method.name=baseline)

# alone_vs_dml2 TAG ARGS...: for each seed in $seeds, the network alone and DML with two peers, both from
# dml.yaml with ARGS, in $out/baseline-TAG-seedN and $out/dml2-TAG-seedN, each with its train-set fit.
alone_vs_dml2() { local tag=$1 seed; shift
  for seed in $seeds; do
    run "$out/baseline-$tag-seed$seed" -c configs/fashion-mnist/dml.yaml "$@" --set seed=$seed "${alone[@]}"
    fit "$out/baseline-$tag-seed$seed"
    run "$out/dml2-$tag-seed$seed" -c configs/fashion-mnist/dml.yaml "$@" --set seed=$seed
    fit "$out/dml2-$tag-seed$seed"
  done; }
