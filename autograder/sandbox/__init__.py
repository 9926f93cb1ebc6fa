"""Where students' code runs: a warm zygote forking confined children."""
