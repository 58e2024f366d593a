// kjs_group.js: a kafkajs 2.2.4 consumer group for test_groups.py.
//
//   node kjs_group.js '<json>'  ->  one JSON line on stdout
//
// The argument is {brokers, topic, groupId, members, expect, seconds}.
// `members` consumers join groupId on topic (from the beginning) and run
// until each has been assigned partitions and together they have read
// `expect` messages, or `seconds` pass.  Result: {ok, assignments:
// [[partition...] per member], values: [utf-8 value...]}, or {ok: false,
// error}.  Every consumer disconnects (LeaveGroup) before the answer.
'use strict'

const { Kafka, logLevel } = require('kafkajs')

async function main () {
  const req = JSON.parse(process.argv[2])
  const kafka = new Kafka({ clientId: 'samsa-kjs-group', brokers: req.brokers,
                            logLevel: logLevel.NOTHING })
  const assignments = []
  const values = []
  const cons = []
  for (let i = 0; i < req.members; i++) {
    const c = kafka.consumer({ groupId: req.groupId, sessionTimeout: 6000,
                               heartbeatInterval: 500, rebalanceTimeout: 10000 })
    assignments.push(null)
    c.on(c.events.GROUP_JOIN, (e) => {
      assignments[i] = (e.payload.memberAssignment[req.topic] || []).slice().sort((a, b) => a - b)
    })
    await c.connect()
    await c.subscribe({ topic: req.topic, fromBeginning: true })
    await c.run({ eachMessage: async ({ message }) => { values.push(message.value.toString()) } })
    cons.push(c)
  }
  const deadline = Date.now() + req.seconds * 1000
  const done = () => values.length >= req.expect && assignments.every((a) => a && a.length > 0) &&
    [].concat(...assignments).length === req.partitions
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  // snapshot first: members leaving one by one rebalance the others
  const snap = { ok: true, assignments: assignments.slice(), values: values.slice() }
  for (const c of cons) await c.disconnect()
  return snap
}

main().then((r) => { console.log(JSON.stringify(r)); process.exit(0) },
  (e) => { console.log(JSON.stringify({ ok: false, error: String(e) })); process.exit(1) })
