"""
Prints the token `aws eks get-token` makes, for fixed credentials and a frozen clock, using the aws CLI's own
code (awscli.customizations.eks.get_token), so src/token.test.ts can compare ours with it byte for byte.

Run:  python3 actions/deploy-eks/src/testing/aws-cli-token.py <region> <cluster> [session-token]
Made with aws-cli 1.45.11 / botocore 1.43.11.
"""
import datetime
import sys

import botocore.auth
import botocore.session
from awscli.customizations.eks.get_token import STSClientFactory, TokenGenerator

FROZEN = datetime.datetime(2026, 12, 6, 10, 30, 0)
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: FROZEN

region, cluster = sys.argv[1], sys.argv[2]
session_token = sys.argv[3] if len(sys.argv) > 3 else None
session = botocore.session.get_session()
session.set_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token)
sts = STSClientFactory(session).get_sts_client(region_name=region)
print(TokenGenerator(sts).get_token(cluster))
