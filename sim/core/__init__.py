"""The model core: one replication of a scenario, from first dials to the facts.

Nothing here knows of files, the command line, charts or printing (a test reads the imports).
"""
