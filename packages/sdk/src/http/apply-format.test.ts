import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isWeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { salesforceSoap } from './__fixtures__/salesforce-soap.js';
import { startServer, type TestServer } from './__fixtures__/server.js';

const SESSION = '00Dxx0000001gPL!AQ4AQFpX';
let api: TestServer;
let connection: Record<string, unknown>;

/** A fault as Salesforce sends it: the message comes after a long envelope head. */
const FAULT = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header><LimitInfoHeader><limitInfo><current>17</current><limit>15000</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

beforeAll(async () => {
  api = await startServer();
  api.on('/services/Soap/u/52.0', (_req, res, body) => {
    res.setHeader('content-type', 'text/xml; charset=utf-8');
    if (!body.toString().includes(`<urn:sessionId>${SESSION}</urn:sessionId>`)) {
      res.statusCode = 500;
      res.end(FAULT);
      return;
    }
    res.end(
      '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body><queryResponse><result><size>3</size></result></queryResponse></soapenv:Body></soapenv:Envelope>',
    );
  });
  api.on('/services/data/v52.0/limits', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('{"DailyApiRequests":{"Max":15000}}');
  });
  connection = { server_url: api.url, session_id: SESSION };
});
afterAll(() => api.close());

describe('apply sets the formats of every request (Salesforce SOAP-shaped connector)', () => {
  test("the request is XML with apply's header and the action's body in one envelope; the XML reply is parsed", async () => {
    const result = await execute(salesforceSoap, 'actions.query.execute', {
      connection,
      input: { soql: 'SELECT Id FROM Account' },
    });
    expect(result.kind === 'output' && result.output).toEqual({ size: '3' });
    const sent = api.received.at(-1)!;
    expect(sent.headers['content-type']).toBe('application/xml');
    expect(sent.headers.soapaction).toBe('""');
    const body = sent.body.toString();
    expect(body).toContain('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"');
    // Deep merge: apply's SessionHeader and the action's QueryOptions share one soapenv:Header.
    expect(body).toContain(
      `<soapenv:Header><urn:SessionHeader><urn:sessionId>${SESSION}</urn:sessionId></urn:SessionHeader><urn:QueryOptions><urn:batchSize>200</urn:batchSize></urn:QueryOptions></soapenv:Header>`,
    );
    expect(body).toContain('<soapenv:Body><urn:query><urn:queryString>SELECT Id FROM Account</urn:queryString>');
  });

  test("a request's own format wins over apply's", async () => {
    const result = await execute(salesforceSoap, 'actions.rest_limits.execute', { connection });
    expect(result.kind === 'output' && result.output).toEqual({ DailyApiRequests: { Max: 15000 } });
  });

  test('a SOAP fault shows its faultcode and faultstring, not the start of the envelope', async () => {
    const error = await execute(salesforceSoap, 'actions.query.execute', {
      connection: { ...connection, session_id: 'expired-session-0001' },
      input: { soql: 'SELECT Id FROM Account' },
    }).catch((e) => e);
    expect(isWeftError(error) && error.code).toBe('HTTP_ERROR');
    expect(error.message).toBe(
      `POST ${api.url}/services/Soap/u/52.0 failed with HTTP 500: INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session`,
    );
  });
});
