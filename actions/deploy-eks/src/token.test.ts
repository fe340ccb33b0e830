import { describe, expect, it } from '@jest/globals';
import { eksToken, presignedUrl, stsHost } from './token.js';

// Produced with the aws CLI's own token code and a frozen clock (2026-12-06T10:30:00Z):
//   python3 actions/deploy-eks/src/testing/aws-cli-token.py us-east-1 prod
//   python3 actions/deploy-eks/src/testing/aws-cli-token.py cn-north-1 prod 'FQoGZXIvYXdzEXAMPLE/+='
// (aws-cli 1.45.11, botocore 1.43.11; credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY).
const AWS_CLI_US_EAST_1 =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjYxMjA2JTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNjEyMDZUMTAzMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9YWFlMjUyODE4YmMyMzdkOTg4MTZiZjA3ZjAzYjY1ODFiODUxZGQzYjZhZmU4MWQzZDg3ZjIzNzM4ZjdhMmUzOA';
const AWS_CLI_CN_NORTH_1_SESSION =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMuY24tbm9ydGgtMS5hbWF6b25hd3MuY29tLmNuLz9BY3Rpb249R2V0Q2FsbGVySWRlbnRpdHkmVmVyc2lvbj0yMDExLTA2LTE1JlgtQW16LUFsZ29yaXRobT1BV1M0LUhNQUMtU0hBMjU2JlgtQW16LUNyZWRlbnRpYWw9QUtJREVYQU1QTEUlMkYyMDI2MTIwNiUyRmNuLW5vcnRoLTElMkZzdHMlMkZhd3M0X3JlcXVlc3QmWC1BbXotRGF0ZT0yMDI2MTIwNlQxMDMwMDBaJlgtQW16LUV4cGlyZXM9NjAmWC1BbXotU2lnbmVkSGVhZGVycz1ob3N0JTNCeC1rOHMtYXdzLWlkJlgtQW16LVNlY3VyaXR5LVRva2VuPUZRb0daWEl2WVhkekVYQU1QTEUlMkYlMkIlM0QmWC1BbXotU2lnbmF0dXJlPTZlZGU0ZjUwNmEwOGMzNGM1YjJkZGU2ZTA0MWE3ZGUyMmI0YTNhNTc5M2Q1YWU2MWQ1ODZiYzU2ZTM2MjQzNDY';

const now = new Date('2026-12-06T10:30:00Z');
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
};

describe('eksToken', () => {
  it('is byte for byte the aws CLI token for the same credentials and time', async () => {
    expect(await eksToken({ cluster: 'prod', region: 'us-east-1', credentials, now })).toBe(
      AWS_CLI_US_EAST_1
    );
  });

  it('matches the aws CLI in China, with a session token that needs escaping', async () => {
    const token = await eksToken({
      cluster: 'prod',
      region: 'cn-north-1',
      credentials: { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE/+=' },
      now
    });
    expect(token).toBe(AWS_CLI_CN_NORTH_1_SESSION);
  });

  it('signs for the real STS host whatever AWS_ENDPOINT_URL says, with a 60 s expiry', async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    try {
      const url = new URL(await presignedUrl({ cluster: 'c', region: 'eu-west-1', credentials, now }));
      expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = before;
    }
  });

  it('names the STS host of each partition', () => {
    expect(stsHost('us-west-2')).toBe('sts.us-west-2.amazonaws.com');
    expect(stsHost('cn-northwest-1')).toBe('sts.cn-northwest-1.amazonaws.com.cn');
  });
});
