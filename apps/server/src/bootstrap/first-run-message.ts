/** The text printed once when start-up made a key: the key and a request to try it with. */
export function firstRunMessage(input: { projectName: string; key: string; baseUrl: string }): string {
  const timestamp = new Date().toISOString()
  const event = JSON.stringify({
    events: [
      {
        timestamp,
        provider: 'openai',
        model: 'gpt-4o-mini',
        feature: 'quick-start',
        usage: { inputTokens: 10000, cacheReadInputTokens: 2048, outputTokens: 500 },
        latencyMs: 812,
      },
    ],
  })
  return [
    '',
    `Created project "${input.projectName}" with an API key (ingest, read, admin). It is shown only now:`,
    '',
    `  ${input.key}`,
    '',
    'Send a first event:',
    '',
    `  curl -s ${input.baseUrl}/v1/events -H 'Authorization: Bearer ${input.key}' -H 'Content-Type: application/json' \\`,
    `    -d '${event}'`,
    '',
    'Then read the cost back:',
    '',
    `  curl -s ${input.baseUrl}/v1/analytics/summary -H 'Authorization: Bearer ${input.key}'`,
    '',
  ].join('\n')
}
