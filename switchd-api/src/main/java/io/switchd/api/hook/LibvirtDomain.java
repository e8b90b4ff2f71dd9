package io.switchd.api.hook;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A libvirt domain's XML, as a hook reads it on stdin, reduced to what switchd attaches: the
 * interfaces of {@code <interface type='ethernet'>} devices, whose {@code <target dev>} names the
 * tap libvirt made for it. Disks, consoles and other interface types have targets too and are not
 * ours. The XML is untrusted input: no DTD, no external entity, no XInclude.
 */
public final class LibvirtDomain {
    private LibvirtDomain() {}

    /** The target interface names of the domain's ethernet interfaces, in document order. */
    public static List<String> ethernetTargets(InputStream xml) throws IOException {
        Document doc;
        try {
            doc = parser().parse(xml);
        } catch (SAXParseException e) {
            throw new IllegalArgumentException("the domain XML is not readable: line " + e.getLineNumber() + ": "
                    + e.getMessage());
        } catch (SAXException e) {
            throw new IllegalArgumentException("the domain XML is not readable: " + e.getMessage());
        }
        Element domain = doc.getDocumentElement();
        if (!domain.getTagName().equals("domain")) {
            throw new IllegalArgumentException("not a libvirt domain: the XML's root is <" + domain.getTagName()
                    + ">, not <domain>");
        }
        List<String> out = new ArrayList<>();
        for (Element devices : children(domain, "devices")) {
            for (Element iface : children(devices, "interface")) {
                if (!iface.getAttribute("type").equals("ethernet")) {
                    continue;
                }
                for (Element target : children(iface, "target")) {
                    if (!target.getAttribute("dev").isEmpty()) {
                        out.add(target.getAttribute("dev"));
                    }
                }
            }
        }
        return out;
    }

    private static DocumentBuilder parser() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // A domain has no DOCTYPE; refusing one refuses every entity trick with it.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() {
                // the default handler prints "[Fatal Error]" lines of its own to stderr
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a safety feature: " + e.getMessage(), e);
        }
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}
