"""The people of an organization: members with a role (and units), invited by e-mail."""
