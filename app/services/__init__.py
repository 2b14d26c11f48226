"""Use cases. Each public function owns one unit of work (one commit)."""
