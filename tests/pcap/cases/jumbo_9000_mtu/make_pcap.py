#!/usr/bin/python3
"""The jumbo_9000 capture (9014-byte frames), run with --mtu 9000."""
import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jumbo_9000", "make_pcap.py"),
               run_name="__main__")
