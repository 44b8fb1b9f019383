"""questionnaires"""
