#!/usr/bin/perl
# assign-in-condition.pl - no assignment inside an if/while condition
# (HACKING.md, "Style"; curl's checksrc rule ASSIGNWITHINCONDITION).
#
#   perl .ci/analysis/assign-in-condition.pl FILE...
#
# Comments, string and character literals are blanked first, then every
# `if (` and `while (` is followed to its closing parenthesis, across
# lines, and an `=` there that is not part of ==, !=, <= or >= - or an
# op= such as += - is reported as file:line. Exit status 1 on any finding.
use strict;
use warnings;

my $found = 0;
for my $file (@ARGV) {
	open(my $fh, '<', $file) or die "$file: $!\n";
	local $/;
	my $src = <$fh>;
	close($fh);
	# blank comments and literals, keeping newlines so lines still count
	$src =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')}{
		my $m = $1; $m =~ s/[^\n]/ /g; $m }gse;
	# preprocessor lines are not statements
	$src =~ s{^([ \t]*#[^\n]*)}{ my $m = $1; $m =~ s/[^\n]/ /g; $m }gme;
	while ($src =~ /\b(if|while)\s*\(/g) {
		my $kw = $1;
		my $start = pos($src);
		my ($depth, $i) = (1, $start);
		while ($i < length($src) && $depth > 0) {
			my $c = substr($src, $i, 1);
			$depth++ if $c eq '(';
			$depth-- if $c eq ')';
			$i++;
		}
		my $cond = substr($src, $start, $i - $start - 1);
		if ($cond =~ /(?<![=!<>])=(?!=)/) {
			my $at = $start + $-[0];
			my $line = 1 + (substr($src, 0, $at) =~ tr/\n//);
			(my $text = $cond) =~ s/\s+/ /g;
			print "$file:$line: assignment inside a condition: $kw ($text)\n";
			$found++;
		}
		pos($src) = $start;
	}
}
exit($found ? 1 : 0);
