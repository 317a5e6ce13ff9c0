"""The shared catalogue of AI products (product cards), kept by platform admins."""
