"""Employers (organizations) and their units: workplaces and areas with their cooperation committees."""
