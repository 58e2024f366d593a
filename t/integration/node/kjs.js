// kjs.js: kafkajs 2.2.4 driven by samsa's integration tests (clients.py).
//
//   node kjs.js < request.json > result.json
//
// The request is one JSON object {op, brokers, ...}; the result is one
// JSON object on stdout, {ok: true, ...} or {ok: false, error, type, code}
// for a Kafka error (type is kafkajs' name for the wire error, e.g.
// MESSAGE_TOO_LARGE).  Bytes travel base64-encoded (null stays null).
//
// ops:
//   produce  {topic, partition, acks, compression: "none"|"gzip",
//             messages: [{key, value, headers: {name: b64}, timestamp}]}
//            -> {baseOffset} (one batch to one partition: record i has
//               offset baseOffset + i)
//   fetch    {topic, partition, offset, count}
//            -> {messages: [{offset, key, value, headers, timestamp}]}
//            kafkajs consumers need consumer groups, which samsa does not
//            serve yet, so this sends Fetch requests through kafkajs' own
//            Cluster/Broker objects (its lower-level API) and decodes the
//            record batches with kafkajs' decoder.  Partition maxBytes
//            defaults to 1, so each Fetch returns exactly one batch (the
//            first batch is always returned whole): kafkajs then never
//            meets a batch past `count` in a codec it cannot decode.
//   offsets  {topic, timestamp?} -> {offsets: [{partition, low, high}],
//            byTime: [{partition, offset}]} (admin.fetchTopicOffsets and
//            fetchTopicOffsetsByTimestamp, i.e. ListOffsets)
//   admin    {actions: [...]} createTopics/deleteTopics/createPartitions
//            -> {results: [{ok, error, type}]}
'use strict'

const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const Cluster = require('kafkajs/src/cluster')
const { createLogger } = require('kafkajs/src/loggers')
const socketFactory = require('kafkajs/src/network/socketFactory')
const LoggerConsole = require('kafkajs/src/loggers/console')

const b64 = (s) => (s === null || s === undefined ? null : Buffer.from(s, 'base64'))
const enc = (b) => (b === null || b === undefined ? null : Buffer.from(b).toString('base64'))

function client (req) {
  return new Kafka({
    clientId: 'samsa-it',
    brokers: req.brokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 5000,
    requestTimeout: 20000,
    retry: { retries: req.retries === undefined ? 5 : req.retries }
  })
}

async function produce (req) {
  const kafka = client(req)
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  try {
    const res = await producer.send({
      topic: req.topic,
      acks: req.acks === undefined ? -1 : req.acks,
      compression: req.compression === 'gzip' ? CompressionTypes.GZIP
        : CompressionTypes.None,
      messages: req.messages.map((m) => {
        const headers = {}
        for (const k of Object.keys(m.headers || {})) headers[k] = b64(m.headers[k])
        const out = { partition: req.partition || 0, key: b64(m.key), value: b64(m.value), headers }
        if (m.timestamp !== null && m.timestamp !== undefined) out.timestamp = String(m.timestamp)
        return out
      })
    })
    return { baseOffset: Number(res[0].baseOffset), errorCode: res[0].errorCode }
  } finally {
    await producer.disconnect()
  }
}

async function fetch (req) {
  const rootLogger = createLogger({ level: logLevel.ERROR, logCreator: LoggerConsole })
  const cluster = new Cluster({
    logger: rootLogger,
    brokers: req.brokers,
    clientId: 'samsa-it-fetch',
    socketFactory: socketFactory(),
    connectionTimeout: 5000,
    requestTimeout: 20000,
    retry: { retries: 5 }
  })
  await cluster.connect()
  const out = []
  try {
    await cluster.addTargetTopic(req.topic)
    const meta = cluster.findTopicPartitionMetadata(req.topic)
    const pm = meta.find((p) => p.partitionId === (req.partition || 0))
    const broker = await cluster.findBroker({ nodeId: pm.leader })
    let offset = req.offset || 0
    for (let round = 0; round < 50 && out.length < req.count; round++) {
      const resp = await broker.fetch({
        maxWaitTime: 500,
        isolationLevel: 0,
        topics: [{ topic: req.topic, partitions: [{ partition: req.partition || 0, fetchOffset: String(offset), maxBytes: req.maxBytes || 1 }] }]
      })
      const part = resp.responses[0].partitions[0]
      if (part.errorCode) throw new Error('fetch error code ' + part.errorCode)
      for (const m of part.messages) {
        if (Number(m.offset) < offset || out.length >= req.count) continue
        const headers = {}
        for (const k of Object.keys(m.headers || {})) headers[k] = enc(m.headers[k])
        out.push({ offset: Number(m.offset), key: enc(m.key), value: enc(m.value), headers, timestamp: Number(m.timestamp) })
        offset = Number(m.offset) + 1
      }
    }
  } finally {
    await cluster.disconnect()
  }
  return { messages: out }
}

async function offsets (req) {
  const admin = client(req).admin()
  await admin.connect()
  try {
    const res = { offsets: [] }
    for (const p of await admin.fetchTopicOffsets(req.topic)) {
      res.offsets.push({ partition: p.partition, low: Number(p.low), high: Number(p.high) })
    }
    if (req.timestamp !== undefined) {
      res.byTime = (await admin.fetchTopicOffsetsByTimestamp(req.topic, req.timestamp))
        .map((p) => ({ partition: p.partition, offset: Number(p.offset) }))
    }
    return res
  } finally {
    await admin.disconnect()
  }
}

async function admin (req) {
  const adm = client(req).admin()
  await adm.connect()
  const results = []
  try {
    for (const a of req.actions) {
      try {
        let r
        if (a.op === 'createTopics') {
          r = await adm.createTopics({ validateOnly: !!a.validateOnly, waitForLeaders: true, topics: a.topics })
        } else if (a.op === 'deleteTopics') {
          r = await adm.deleteTopics({ topics: a.topics })
        } else if (a.op === 'createPartitions') {
          r = await adm.createPartitions({ topicPartitions: a.topicPartitions })
        }
        results.push({ ok: true, result: r === undefined ? null : r })
      } catch (e) {
        results.push(errorOf(e))
      }
    }
  } finally {
    await adm.disconnect()
  }
  return { results }
}

function errorOf (e) {
  // KafkaJSAggregateError / KafkaJSCreateTopicError wrap the protocol error
  let inner = e
  if (e.errors && e.errors.length) inner = e.errors[0]
  if (inner.originalError) inner = inner.originalError
  if (inner.cause && !inner.type) inner = inner.cause
  return { ok: false, error: String(e.message), type: inner.type || e.type || e.name, code: inner.code === undefined ? null : inner.code }
}

async function main () {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const req = JSON.parse(Buffer.concat(chunks).toString())
  const ops = { produce, fetch, offsets, admin }
  let res
  try {
    res = Object.assign({ ok: true }, await ops[req.op](req))
  } catch (e) {
    res = errorOf(e)
  }
  process.stdout.write(JSON.stringify(res) + '\n')
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(2) })
