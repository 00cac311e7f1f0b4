# bench/plot.gp - draws bench_sync's results.csv (see bench/run.sh):
#   gnuplot -e "csv='results.csv'; png='performance.png'" bench/plot.gp
# Left: samples/s of floor (a), floor (b), the SQLite floors (attach:
# INSERT ... SELECT from the peer file; insert: a bare prepared-insert
# loop), the sync from the computed peer and from the SQLite peer
# (sqlpeer), against gap size.
# Right: peak RSS of the local (syncing) and peer (serving) processes
# during the sync, against gap size. One point shape per item count.
set datafile separator ","
set terminal png size 1400,700 font ",11"
set output png
set multiplot layout 1,2
set logscale x 10
set grid
set xlabel "gap size (samples = items x samples per item)"
set key outside bottom center horizontal maxrows 6 font ",8"
set format x "10^{%T}"

# columns: 2 phase, 3 items, 4 samples_per_item, 8 rate_per_s, 15 local_rss_kb, 16 peer_rss_kb
# rows of one phase and item count, through awk (a filtered series draws
# as one connected line; NaN-filtered rows would break it)
rows(ph, m) = sprintf("< awk -F, '$2 == \"%s\" && $3 == %d' '%s'", ph, m, csv)

set title "throughput"
set ylabel "samples/s"
set logscale y 10
set format y "10^{%T}"
plot \
  rows("sink", 10) using ($3*$4):($8) with linespoints lc rgb "#2ca02c" pt 7 ps 1.3 title "(b) transfer, 10 items", \
  rows("sink", 1000) using ($3*$4):($8) with linespoints lc rgb "#2ca02c" pt 5 ps 1.3 title "(b) 1000 items", \
  rows("sink", 100000) using ($3*$4):($8) with linespoints lc rgb "#2ca02c" pt 9 ps 1.6 title "(b) 100 000 items", \
  rows("floor", 10) using ($3*$4):($8) with linespoints lc rgb "#1f77b4" pt 7 ps 1.3 title "(a) SQLite ingest, 10 items", \
  rows("floor", 1000) using ($3*$4):($8) with linespoints lc rgb "#1f77b4" pt 5 ps 1.3 title "(a) 1000 items", \
  rows("floor", 100000) using ($3*$4):($8) with linespoints lc rgb "#1f77b4" pt 9 ps 1.6 title "(a) 100 000 items", \
  rows("sync", 10) using ($3*$4):($8) with linespoints lc rgb "#d62728" pt 7 ps 1.3 lw 2 title "sync over HTTP, 10 items", \
  rows("sync", 1000) using ($3*$4):($8) with linespoints lc rgb "#d62728" pt 5 ps 1.3 lw 2 title "sync, 1000 items", \
  rows("sync", 100000) using ($3*$4):($8) with linespoints lc rgb "#d62728" pt 9 ps 1.6 lw 2 title "sync, 100 000 items", \
  rows("sqlpeer", 10) using ($3*$4):($8) with linespoints lc rgb "#ff7f0e" pt 7 ps 1.3 lw 2 title "sync from the SQLite peer, 10 items", \
  rows("sqlpeer", 1000) using ($3*$4):($8) with linespoints lc rgb "#ff7f0e" pt 5 ps 1.3 lw 2 title "SQLite peer, 1000 items", \
  rows("sqlpeer", 100000) using ($3*$4):($8) with linespoints lc rgb "#ff7f0e" pt 9 ps 1.6 lw 2 title "SQLite peer, 100 000 items", \
  rows("attach", 10) using ($3*$4):($8) with linespoints dt 3 lc rgb "black" pt 6 ps 1.1 title "attach: INSERT ... SELECT, 10 items", \
  rows("attach", 1000) using ($3*$4):($8) with linespoints dt 3 lc rgb "black" pt 4 ps 1.1 title "attach, 1000 items", \
  rows("attach", 100000) using ($3*$4):($8) with linespoints dt 3 lc rgb "black" pt 8 ps 1.3 title "attach, 100 000 items", \
  rows("insert", 10) using ($3*$4):($8) with linespoints dt 3 lc rgb "#7f7f7f" pt 6 ps 1.1 title "insert: bare loop, 10 items", \
  rows("insert", 1000) using ($3*$4):($8) with linespoints dt 3 lc rgb "#7f7f7f" pt 4 ps 1.1 title "insert, 1000 items", \
  rows("insert", 100000) using ($3*$4):($8) with linespoints dt 3 lc rgb "#7f7f7f" pt 8 ps 1.3 title "insert, 100 000 items", \
  6e6 with lines dt 2 lc rgb "#2ca02c" title "target (b): 6 M/s"

set title "peak RSS during the sync"
set ylabel "MB"
unset logscale y
set format y "%g"
set yrange [0:*]
plot \
  rows("sync", 10) using ($3*$4):($15/1024) with linespoints lc rgb "#d62728" pt 7 ps 1.3 lw 2 title "local (syncing), 10 items", \
  rows("sync", 1000) using ($3*$4):($15/1024) with linespoints lc rgb "#d62728" pt 5 ps 1.3 lw 2 title "local, 1000 items", \
  rows("sync", 100000) using ($3*$4):($15/1024) with linespoints lc rgb "#d62728" pt 9 ps 1.6 lw 2 title "local, 100 000 items", \
  rows("sync", 10) using ($3*$4):($16/1024) with linespoints lc rgb "#9467bd" pt 7 ps 1.3 title "peer (serving), 10 items", \
  rows("sync", 1000) using ($3*$4):($16/1024) with linespoints lc rgb "#9467bd" pt 5 ps 1.3 title "peer, 1000 items", \
  rows("sync", 100000) using ($3*$4):($16/1024) with linespoints lc rgb "#9467bd" pt 9 ps 1.6 title "peer, 100 000 items", \
  rows("sqlpeer", 10) using ($3*$4):($16/1024) with linespoints lc rgb "#ff7f0e" pt 7 ps 1.3 title "SQLite peer (serving), 10 items", \
  rows("sqlpeer", 1000) using ($3*$4):($16/1024) with linespoints lc rgb "#ff7f0e" pt 5 ps 1.3 title "SQLite peer, 1000 items", \
  rows("sqlpeer", 100000) using ($3*$4):($16/1024) with linespoints lc rgb "#ff7f0e" pt 9 ps 1.6 title "SQLite peer, 100 000 items", \
  64 with lines dt 2 lc rgb "black" title "target: 64 MB"
unset multiplot
