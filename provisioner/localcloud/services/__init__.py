"""Each product's state transitions and rules (libradb.py, rds.py, polardb.py; alibaba.py for
what RDS and PolarDB share). Services take parsed parameters, work on the Store, and return data
or raise CloudError; they never see a request or build a response."""
