"""What people hear about without polling: an organization's activity as each member may see it, the
digests sent by mail, and the member's secret feeds (Atom of changes, a calendar of deadlines)."""
