"""territories"""
