"""The policy as data: the rules file and its loader, and the reviewer's vocabulary."""
