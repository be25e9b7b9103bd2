#!/bin/bash
# plot.sh RESULTS.CSV PNG: bar chart of reference / project per workload,
# a line at 1.0 (above: the project is faster).
set -euo pipefail
csv=$1 png=$2
data=$(mktemp)
trap 'rm -f "$data"' EXIT
awk -F, 'NR > 1 && $4 != "" { print NR - 1, $4, $1 }' "$csv" >"$data"
n=$(wc -l <"$data")
gnuplot <<GP
set terminal pngcairo size 1400,700 noenhanced font ",9"
set output "$png"
set title "upstream iommufd / this project (above 1: the project is faster)"
set style fill solid 0.6
set boxwidth 0.7
set xtics rotate by -60 font ",8"
set ylabel "ratio (log scale)"
set logscale y
set xrange [0:$n + 1]
set grid ytics
set bmargin 12
plot "$data" using 1:2:xtic(3) with boxes notitle, 1 with lines lw 2 lc rgb "red" title "1.0"
GP
