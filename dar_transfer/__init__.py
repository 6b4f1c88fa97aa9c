"""dar-transfer."""
