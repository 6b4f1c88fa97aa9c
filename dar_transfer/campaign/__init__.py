"""Campaigns: the whole matrix of variants x seeds x tasks as one resumable command."""
